package httpapi

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"multimagasins/kit"
)

// oauthProblem is an RFC 9457 problem that is also an RFC 6749 §5.2 error
// answer: the "error" member carries the OAuth2 code, which
// golang.org/x/oauth2 and Postman read.
type oauthProblem struct {
	huma.ErrorModel
	Code string `json:"error,omitempty"`
}

// The OAuth2 error codes the token endpoint answers with.
const (
	invalidRequest       = "invalid_request"
	invalidClient        = "invalid_client"
	invalidGrant         = "invalid_grant"
	unsupportedGrantType = "unsupported_grant_type"
)

func oauthError(status int, code, detail string, fields ...*huma.ErrorDetail) error {
	return &oauthProblem{Code: code, ErrorModel: huma.ErrorModel{
		Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Errors: fields}}
}

// badField is a 400 invalid_request naming the field at fault.
func badField(field, message string, value any) error {
	return oauthError(http.StatusBadRequest, invalidRequest, message, kit.FieldError("body."+field, message, value))
}

// wrongCredentials is the one answer to a wrong password, whether the account
// exists or not.
func wrongCredentials() error {
	return oauthError(http.StatusUnauthorized, invalidGrant, "wrong username or password")
}

// wrongClient is the answer to unknown API client credentials. A client that
// sent HTTP Basic is told which scheme to use again (RFC 6749 §5.2).
func wrongClient(basic bool) error {
	err := oauthError(http.StatusUnauthorized, invalidClient, "unknown API client or wrong secret")
	if basic {
		return huma.ErrorWithHeaders(err, http.Header{"WWW-Authenticate": {`Basic realm="multi-magasins"`}})
	}
	return err
}

// throttled is 429 with Retry-After in whole seconds, rounded up.
func throttled(wait time.Duration) error {
	secs := int((wait + time.Second - 1) / time.Second)
	err := oauthError(http.StatusTooManyRequests, "",
		"too many failed sign-ins for this account or address; try again in "+strconv.Itoa(secs)+" s")
	return huma.ErrorWithHeaders(err, http.Header{"Retry-After": {strconv.Itoa(secs)}})
}

// parseFields reads the token and revocation bodies: a form
// (application/x-www-form-urlencoded, RFC 6749) or a JSON object of strings.
// Only the names in known are returned; others are ignored, as RFC 6749 §3.2
// asks. A parameter sent twice is refused.
func parseFields(contentType string, body []byte, known ...string) (map[string]string, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if contentType == "" || err != nil {
		return nil, unsupportedType(contentType)
	}
	out := map[string]string{}
	switch mt {
	case "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, oauthError(http.StatusBadRequest, invalidRequest, "malformed form body: "+err.Error())
		}
		for _, k := range known {
			switch vs := form[k]; len(vs) {
			case 0:
			case 1:
				out[k] = vs[0]
			default:
				return nil, badField(k, "sent more than once", nil)
			}
		}
	case "application/json":
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
			return nil, oauthError(http.StatusBadRequest, invalidRequest, "the body must be a JSON object of strings")
		}
		for _, k := range known {
			raw, ok := obj[k]
			if !ok || string(raw) == "null" {
				continue
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, badField(k, "expected a string", string(raw))
			}
			out[k] = s
		}
	default:
		return nil, unsupportedType(contentType)
	}
	return out, nil
}

func unsupportedType(ct string) error {
	msg := "send application/x-www-form-urlencoded or application/json"
	return &oauthProblem{Code: invalidRequest, ErrorModel: huma.ErrorModel{Type: "about:blank",
		Title: http.StatusText(http.StatusUnsupportedMediaType), Status: http.StatusUnsupportedMediaType, Detail: msg,
		Errors: []*huma.ErrorDetail{kit.FieldError("header.Content-Type", msg, ct)}}}
}
