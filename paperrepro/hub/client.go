package hub

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/internal/download"
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
	// HTTP is the client for every request; nil means download.DefaultClient(),
	// which gives up on a silent server instead of waiting forever.
	HTTP *http.Client
	// Progress receives download progress bars; nil shows none.
	Progress io.Writer
}

// NewFromEnv returns a Client configured the way Python's huggingface_hub
// reads the environment: HF_ENDPOINT, HF_HUB_CACHE / HF_HOME, HF_TOKEN (or
// the token file under HF_HOME), HF_HUB_OFFLINE, HF_HUB_ETAG_TIMEOUT and
// HF_HUB_DOWNLOAD_TIMEOUT. Progress goes to stderr.
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
		HTTP:     httpFromEnv(),
		Progress: os.Stderr,
	}
}

// httpFromEnv is the HTTP client for the timeouts huggingface_hub reads
// from the environment, in seconds: HF_HUB_ETAG_TIMEOUT (for an answer's
// headers) and HF_HUB_DOWNLOAD_TIMEOUT (to connect, and between bytes of a
// download); nil, for download.DefaultPolicy, when neither is set.
func httpFromEnv() *http.Client {
	policy, set := download.DefaultPolicy, false
	if d, ok := envSeconds("HF_HUB_ETAG_TIMEOUT"); ok {
		policy.Header, set = d, true
	}
	if d, ok := envSeconds("HF_HUB_DOWNLOAD_TIMEOUT"); ok {
		policy.Connect, policy.Idle, set = d, d, true
	}
	if !set {
		return nil
	}
	return download.NewClient(policy)
}

// envSeconds reads a positive number of seconds from the environment.
func envSeconds(key string) (time.Duration, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(os.Getenv(key)), 64)
	if err != nil || !(v > 0) || v > 1e6 {
		return 0, false
	}
	return time.Duration(v * float64(time.Second)), true
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
	return download.DefaultClient()
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
