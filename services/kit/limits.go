package kit

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Bounds of a request's head. Past them the answer is a 431 problem.
// http.Server.MaxHeaderBytes is set to serverMaxHeaderBytes, far above, so
// that such a request still reaches limitHead; a head larger than that is
// cut by net/http itself, which answers its own text/plain 431 before any
// handler runs.
const (
	// MaxTargetBytes bounds the request target (path and query), as nginx
	// and KrakenD do by default.
	MaxTargetBytes = 8 << 10
	// MaxHeadBytes bounds the header fields together.
	MaxHeadBytes         = 64 << 10
	serverMaxHeaderBytes = 1 << 20
)

// limitHead answers 431 problem+json for a target or headers over the bounds.
func limitHead(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n := len(r.RequestURI); n > MaxTargetBytes {
			WriteProblem(w, http.StatusRequestHeaderFieldsTooLarge,
				fmt.Sprintf("the request target (path and query) is %d bytes; at most %d are read", n, MaxTargetBytes))
			return
		}
		if n := headBytes(r.Header); n > MaxHeadBytes {
			WriteProblem(w, http.StatusRequestHeaderFieldsTooLarge,
				fmt.Sprintf("the header fields are %d bytes; at most %d are read", n, MaxHeadBytes))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// headBytes is the size of the header fields as sent: "Name: value\r\n".
func headBytes(h http.Header) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// Reading what remains of a refused body, so the client reads the refusal.
const (
	// MaxDrainBytes is how much of a body the handler did not read is still
	// read and discarded before answering. Past it the connection is closed
	// and a client still sending may see a reset instead of the answer.
	MaxDrainBytes = 16 << 20
	drainTimeout  = 10 * time.Second
)

// drainBody reads and discards what the handler left of the body (a 413
// stops at the limit; a 401 reads nothing) before the answer goes out.
// Without it net/http, past 256 KiB unread, answers and closes while the
// client is still sending: a client that sends its whole body before
// reading (one that does not wait for 100 Continue, as Python's urllib
// and many others) then gets a TCP reset instead of the answer. A client
// that sent Expect: 100-continue and was never asked to go on has sent no
// body; nothing is read then, and net/http closes the connection.
func drainBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		b := &drainedBody{rc: r.Body}
		r.Body = b
		next.ServeHTTP(w, r)
		if b.eof || (!b.read && strings.EqualFold(r.Header.Get("Expect"), "100-continue")) {
			return
		}
		// The handler's read deadline (huma's body timeout) may be spent.
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(drainTimeout))
		_, _ = io.CopyN(io.Discard, b.rc, MaxDrainBytes)
	})
}

// drainedBody tells drainBody whether the handler read the body to its end.
type drainedBody struct {
	rc        io.ReadCloser
	read, eof bool
}

func (b *drainedBody) Read(p []byte) (int, error) {
	b.read = true
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

// Close leaves the body to drainBody: net/http closes it after the handler.
func (b *drainedBody) Close() error { return nil }
