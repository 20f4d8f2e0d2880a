package kit

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

// HTTPCache makes the 200 answers of a GET operation cacheable by browsers
// and gateways: a strong ETag that is a hash of the exact body, 304 Not
// Modified for a matching If-None-Match, and Cache-Control: public,
// max-age=N. maxAge is the longest a copy may be served without asking
// again, so it is the staleness a caller accepts; whole seconds, as the
// header says. Other statuses pass through unchanged and carry no caching
// header, so a 404 or a 422 is never kept.
//
// The body is buffered to hash it, which a read of a few kilobytes affords;
// the service still runs the handler on every request (it keeps no copy),
// a 304 only saves the transfer. The saving is in the caches in front.
func HTTPCache(maxAge time.Duration) func(ctx huma.Context, next func(huma.Context)) {
	cacheControl := CacheControl(maxAge)
	return func(ctx huma.Context, next func(huma.Context)) {
		buf := bodyPool.Get().(*bytes.Buffer)
		buf.Reset()
		defer bodyPool.Put(buf)
		bc := &bufferedContext{wrapped: ctx, status: http.StatusOK, header: http.Header{}, body: buf}
		next(bc)

		if bc.status == http.StatusOK {
			etag := ETag(buf.Bytes())
			bc.header.Set("ETag", etag)
			bc.header.Set("Cache-Control", cacheControl)
			if NoneMatch(ctx.Header("If-None-Match"), etag) {
				// RFC 9110 §15.4.5: the validators and caching fields of the
				// 200, no representation fields.
				ctx.SetHeader("ETag", etag)
				ctx.SetHeader("Cache-Control", cacheControl)
				ctx.SetStatus(http.StatusNotModified)
				return
			}
			bc.header.Set("Content-Length", strconv.Itoa(buf.Len()))
		}
		for name, values := range bc.header {
			for i, v := range values {
				if i == 0 {
					ctx.SetHeader(name, v)
				} else {
					ctx.AppendHeader(name, v)
				}
			}
		}
		ctx.SetStatus(bc.status)
		_, _ = ctx.BodyWriter().Write(buf.Bytes()) // the client may be gone; nothing left to tell it
	}
}

// CacheControl is the Cache-Control value HTTPCache sends.
func CacheControl(maxAge time.Duration) string {
	return "public, max-age=" + strconv.Itoa(int(maxAge/time.Second))
}

// ETag is the strong entity tag of body: 128 bits of its SHA-256, enough
// that two different bodies never share one, and stable across replicas and
// restarts, so any replica can answer a revalidation.
func ETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
}

// NoneMatch reports whether an If-None-Match header value names etag, with
// the weak comparison RFC 9110 §13.1.2 prescribes for it ("*" matches any).
func NoneMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == strings.TrimPrefix(etag, "W/") {
			return true
		}
	}
	return false
}

var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// wrapped is huma.Context under another name: embedded as is, its field
// would be called Context and hide the interface's Context method.
type wrapped = huma.Context

// bufferedContext holds the status, headers and body huma writes, so the
// ETag can be computed before anything goes out.
type bufferedContext struct {
	wrapped
	status int
	header http.Header
	body   *bytes.Buffer
}

func (c *bufferedContext) SetStatus(code int)              { c.status = code }
func (c *bufferedContext) Status() int                     { return c.status }
func (c *bufferedContext) SetHeader(name, value string)    { c.header.Set(name, value) }
func (c *bufferedContext) AppendHeader(name, value string) { c.header.Add(name, value) }
func (c *bufferedContext) BodyWriter() io.Writer           { return c.body }
func (c *bufferedContext) Unwrap() huma.Context            { return c.wrapped }
