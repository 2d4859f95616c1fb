package panics

import (
	"errors"
	"testing"
)

func mayPanic(value any) (err error) {
	defer Recover(&err, "step %d", 3)
	if value != nil {
		panic(value)
	}
	return errors.New("returned")
}

func TestRecover(t *testing.T) {
	if err := mayPanic("index out of range"); err == nil || err.Error() != "step 3: index out of range" {
		t.Errorf("a panic gave %v, want the error %q", err, "step 3: index out of range")
	}
	if err := mayPanic(nil); err == nil || err.Error() != "returned" {
		t.Errorf("no panic: %v, want the function's own error", err)
	}
}
