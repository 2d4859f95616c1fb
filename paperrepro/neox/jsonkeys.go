package neox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// duplicateKeyError is a key that one JSON object holds twice.
type duplicateKeyError struct {
	Key    string
	Object string // the key of the object holding it; "" at the top level
}

func (e *duplicateKeyError) Error() string {
	where := "the top-level object"
	if e.Object != "" {
		where = fmt.Sprintf("object %q", e.Object)
	}
	return fmt.Sprintf("key %q appears twice in %s (refusing: readers differ on which one counts)", e.Key, where)
}

// checkDuplicateKeys refuses a JSON document in which some object holds a
// key twice, with a *duplicateKeyError. encoding/json keeps the last of the
// two silently, so a safetensors header listing a tensor twice, an index
// mapping a tensor to two shards or a config.json setting rotary_pct twice
// would load whichever came last.
func checkDuplicateKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return walkJSON(dec, "")
}

// walkJSON reads one JSON value from dec, checking every object in it for
// duplicate keys; where is the key the value sits under ("" at the top).
func walkJSON(dec *json.Decoder, where string) error {
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("parsing JSON: unexpected end")
		}
		return fmt.Errorf("parsing JSON: %w", err)
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch delim {
	case '{':
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return fmt.Errorf("parsing JSON: %w", err)
			}
			key, _ := tok.(string)
			if seen[key] {
				return &duplicateKeyError{Key: key, Object: where}
			}
			seen[key] = true
			if err := walkJSON(dec, key); err != nil {
				return err
			}
		}
	case '[':
		for dec.More() {
			if err := walkJSON(dec, where); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return fmt.Errorf("parsing JSON: %w", err)
	}
	return nil
}
