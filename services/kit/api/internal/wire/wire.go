// Package wire holds the few helpers every typed client shares: query
// strings where a zero value means "not sent", and the Idempotency-Key header.
package wire

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"multimagasins/kit"
)

// Query builds a query string; zero values are left out, so the service's
// defaults apply.
type Query struct{ v url.Values }

// Int adds name=v when v is not 0.
func (q *Query) Int(name string, v int64) *Query {
	if v != 0 {
		q.set(name, strconv.FormatInt(v, 10))
	}
	return q
}

// IntPtr adds name=*v when v is not nil (for parameters where 0 means something).
func (q *Query) IntPtr(name string, v *int64) *Query {
	if v != nil {
		q.set(name, strconv.FormatInt(*v, 10))
	}
	return q
}

// Ints adds name=1,2,3 when ids is not empty.
func (q *Query) Ints(name string, ids []int64) *Query {
	if len(ids) > 0 {
		s := make([]string, len(ids))
		for i, id := range ids {
			s[i] = strconv.FormatInt(id, 10)
		}
		q.set(name, strings.Join(s, ","))
	}
	return q
}

// Str adds name=v when v is not empty.
func (q *Query) Str(name, v string) *Query {
	if v != "" {
		q.set(name, v)
	}
	return q
}

// Time adds name=v in RFC 3339 when v is not zero.
func (q *Query) Time(name string, v time.Time) *Query {
	if !v.IsZero() {
		q.set(name, v.Format(time.RFC3339Nano))
	}
	return q
}

// Page adds limit and offset when set.
func (q *Query) Page(p kit.PageQuery) *Query {
	return q.Int("limit", int64(p.Limit)).Int("offset", int64(p.Offset))
}

func (q *Query) set(name, v string) {
	if q.v == nil {
		q.v = url.Values{}
	}
	q.v.Set(name, v)
}

// On returns path with the query string, if any.
func (q *Query) On(path string) string {
	if len(q.v) == 0 {
		return path
	}
	return path + "?" + q.v.Encode()
}

// Key is the Idempotency-Key header, or none for an empty key.
func Key(key string) http.Header {
	if key == "" {
		return nil
	}
	return http.Header{"Idempotency-Key": {key}}
}

// ID is an integer path segment.
func ID(id int64) string { return strconv.FormatInt(id, 10) }

// Seg escapes a text path segment (a reservation key, say).
func Seg(s string) string { return url.PathEscape(s) }

// Call sends one request through c and decodes a 2xx answer into a T; any
// other answer is the service's *kit.ProblemError. Every typed method is
// this one call with its route.
func Call[T any](ctx context.Context, c *kit.Client, method, path string, body any, h http.Header) (T, error) {
	var out T
	return out, c.Do(ctx, method, path, body, &out, h)
}
