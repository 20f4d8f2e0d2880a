package kit

import (
	"context"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// ServiceCredentials are a service's own API client at identite: it trades
// them for a service token (OAuth2 client credentials, RFC 6749 §4.4).
type ServiceCredentials struct {
	ClientID     string
	ClientSecret string
	TokenURL     string // identite's token endpoint, such as http://identite:8009/auth/jeton
}

// ServiceCredentials reads SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET (or
// SERVICE_CLIENT_SECRET_FILE) and TOKEN_URL; all are required.
func (e *Env) ServiceCredentials(defaultID string) ServiceCredentials {
	return ServiceCredentials{
		ClientID:     e.String("SERVICE_CLIENT_ID", defaultID),
		ClientSecret: e.Secret("SERVICE_CLIENT_SECRET"),
		TokenURL:     strings.TrimRight(e.Required("TOKEN_URL"), "/"),
	}
}

// Tokens returns a token source that asks identite once and again only
// shortly before the token expires; every Client of the service shares it.
func (c ServiceCredentials) Tokens(ctx context.Context) oauth2.TokenSource {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Timeout: 5 * time.Second})
	cc := clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: c.TokenURL,
		AuthStyle: oauth2.AuthStyleInHeader}
	return oauth2.ReuseTokenSourceWithExpiry(nil, cc.TokenSource(ctx), time.Minute)
}
