package pyparser

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxLine is the longest document line accepted when Limits.MaxLine
// is zero: 64 MiB of JSON.
const DefaultMaxLine = 64 << 20

// errLineTooLong is returned by lineReader when a line passes the limit.
var errLineTooLong = errors.New("line too long")

// lineReader reads newline-terminated lines of any length up to max,
// reusing one buffer for lines longer than the bufio buffer.
type lineReader struct {
	r   *bufio.Reader
	max int
	big []byte
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 1<<20), max: max}
}

// next returns the next line without its newline. The slice is valid until
// the next call. A last line without a newline is returned as is.
func (l *lineReader) next() ([]byte, error) {
	line, err := l.r.ReadSlice('\n')
	if err == nil {
		return line[:len(line)-1], nil
	}
	if err != bufio.ErrBufferFull {
		if err == io.EOF && len(line) > 0 {
			return line, nil
		}
		return nil, err
	}
	l.big = append(l.big[:0], line...)
	for {
		if len(l.big) > l.max {
			return nil, fmt.Errorf("%w: over %d bytes", errLineTooLong, l.max)
		}
		line, err = l.r.ReadSlice('\n')
		l.big = append(l.big, line...)
		switch err {
		case nil:
			if len(l.big)-1 > l.max {
				return nil, fmt.Errorf("%w: over %d bytes", errLineTooLong, l.max)
			}
			return l.big[:len(l.big)-1], nil
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			return l.big, nil
		default:
			return nil, err
		}
	}
}

// docPrefix and docSuffix frame a document line: {"d":<document>}.
var (
	docPrefix = []byte(`{"d":`)
	docSuffix = []byte(`}`)
)

// control is every message that is not a document.
type control struct {
	Reject  *string           `json:"r"`
	N       int64             `json:"n"`
	Exc     *string           `json:"e"`
	TB      string            `json:"tb"`
	Value   *string           `json:"v"`
	Map     map[string]any    `json:"m"`
	Missing []string          `json:"missing"`
	Jobs    []json.RawMessage `json:"jobs"`
	End     *int64            `json:"end"`
}
