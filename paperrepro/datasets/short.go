package datasets

import "fmt"

// TooFewChunksError reports that the data holds fewer whole chunks than were
// requested. Available is how many it holds, so that a caller that can work
// with fewer (a baseline codec, say) may take them all and say so.
type TooFewChunksError struct {
	Available, Requested int
	msg                  string // names the files and the rule
}

func (e *TooFewChunksError) Error() string { return e.msg }

// tooFewChunks is a TooFewChunksError with a message formatted like
// fmt.Sprintf(format, args...).
func tooFewChunks(available, requested int, format string, args ...any) error {
	return &TooFewChunksError{Available: available, Requested: requested, msg: fmt.Sprintf(format, args...)}
}
