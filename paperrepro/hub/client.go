package hub

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// DefaultEndpoint is the Hugging Face hub, used when HF_ENDPOINT is unset.
const DefaultEndpoint = "https://huggingface.co"

// Client fetches checkpoints from one hub endpoint into one cache folder.
// The zero value is not usable; start from NewFromEnv and change fields.
type Client struct {
	// Endpoint is the hub's base URL, without a trailing slash.
	Endpoint string
	// CacheDir is the hub cache root holding models--ORG--NAME folders.
	CacheDir string
	// Token, when non-empty, is sent as "Authorization: Bearer <Token>".
	Token string
	// Offline makes Fetch use only the cache (HF_HUB_OFFLINE=1).
	Offline bool
	// HTTP is the client for every request; nil means http.DefaultClient.
	HTTP *http.Client
	// Progress receives download progress bars; nil shows none.
	Progress io.Writer
}

// NewFromEnv returns a Client configured the way Python's huggingface_hub
// reads the environment: HF_ENDPOINT, HF_HUB_CACHE / HF_HOME, HF_TOKEN (or
// the token file under HF_HOME) and HF_HUB_OFFLINE. Progress goes to stderr.
func NewFromEnv() *Client {
	endpoint := strings.TrimSuffix(os.Getenv("HF_ENDPOINT"), "/")
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	return &Client{
		Endpoint: endpoint,
		CacheDir: CacheDirFromEnv(),
		Token:    tokenFromEnv(),
		Offline:  envTrue(os.Getenv("HF_HUB_OFFLINE")),
		Progress: os.Stderr,
	}
}

// CacheDirFromEnv returns the hub cache folder: $HF_HUB_CACHE, else
// $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else
// ~/.cache/huggingface/hub - the same order as huggingface_hub.
func CacheDirFromEnv() string {
	if dir := os.Getenv("HF_HUB_CACHE"); dir != "" {
		return expandHome(dir)
	}
	if dir := os.Getenv("HUGGINGFACE_HUB_CACHE"); dir != "" {
		return expandHome(dir)
	}
	return filepath.Join(hfHome(), "hub")
}

// hfHome is huggingface_hub's HF_HOME with its defaults.
func hfHome() string {
	if dir := os.Getenv("HF_HOME"); dir != "" {
		return expandHome(dir)
	}
	if dir := os.Getenv("XDG_CACHE_HOME"); dir != "" {
		return filepath.Join(expandHome(dir), "huggingface")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = "."
	}
	return filepath.Join(home, ".cache", "huggingface")
}

// tokenFromEnv returns HF_TOKEN, else the token `huggingface-cli login` saved.
func tokenFromEnv() string {
	if token := strings.TrimSpace(os.Getenv("HF_TOKEN")); token != "" {
		return token
	}
	path := os.Getenv("HF_TOKEN_PATH")
	if path == "" {
		path = filepath.Join(hfHome(), "token")
	}
	data, err := os.ReadFile(expandHome(path))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// envTrue reports whether an environment value means "on", as
// huggingface_hub reads boolean variables.
func envTrue(value string) bool {
	switch strings.ToUpper(strings.TrimSpace(value)) {
	case "1", "ON", "YES", "TRUE":
		return true
	}
	return false
}

func expandHome(path string) string {
	if path == "~" || strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, path[1:])
		}
	}
	return path
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// authHeader returns the headers every hub request carries.
func (c *Client) authHeader() http.Header {
	header := http.Header{}
	if c.Token != "" {
		header.Set("Authorization", "Bearer "+c.Token)
	}
	header.Set("User-Agent", "paperrepro-hub")
	return header
}
