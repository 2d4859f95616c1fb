// Package panics turns panics into errors at a package boundary, for code
// that calls libraries which report failures by panicking: GoMLX's graph
// building and backends, and third-party tokenizer code.
package panics

import "fmt"

// Recover, deferred directly (defer panics.Recover(&err, "loading %s", dir)),
// turns a panic in the surrounding function into an error returned through
// errp: the formatted context, then the panic's value.
func Recover(errp *error, format string, args ...any) {
	if r := recover(); r != nil {
		*errp = fmt.Errorf("%s: %v", fmt.Sprintf(format, args...), r)
	}
}
