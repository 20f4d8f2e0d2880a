package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"golang.org/x/oauth2"
)

// signIn trades a staff account's password for a client that sends its
// token, and a fresh one when it expires (OAuth2's password grant).
func signIn(ctx context.Context, client *http.Client, tokenURL, account, password string) (*http.Client, error) {
	conf := &oauth2.Config{ClientID: "sagaload", Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, client)
	tok, err := conf.PasswordCredentialsToken(ctx, account, password)
	if err != nil {
		return nil, fmt.Errorf("-compte %s at %s: %w", account, tokenURL, err)
	}
	staff := conf.Client(ctx, tok)
	staff.Timeout = client.Timeout
	return staff, nil
}

// maxReception is the most units stock accepts in one reception.
const maxReception = 100_000

// niveau is the part of stock's level of a product at the centre sagaload reads.
type niveau struct {
	ProduitID  int64 `json:"produit_id"`
	Disponible int64 `json:"disponible"`
}

// topUp books goods into the centre (online orders are served from it) until
// at least units of produit are available, so a run does not turn into stock
// refusals halfway. It tops up only what is missing, so repeated runs do not
// pile up stock.
func topUp(ctx context.Context, client *http.Client, stockURL string, produit, units int64) error {
	have, err := available(ctx, client, stockURL, produit)
	if err != nil {
		return err
	}
	for have < units {
		n, err := receive(ctx, client, stockURL, produit, min(units-have, maxReception))
		if err != nil {
			return err
		}
		if n.Disponible <= have {
			return fmt.Errorf("reception of produit %d: the centre has %d available after it, %d before", produit, n.Disponible, have)
		}
		have = n.Disponible
	}
	return nil
}

// available reads the centre's stock page by page (GET /logistique/stock).
func available(ctx context.Context, client *http.Client, stockURL string, produit int64) (int64, error) {
	for offset := 0; ; {
		u := fmt.Sprintf("%s/logistique/stock?%s", strings.TrimRight(stockURL, "/"),
			url.Values{"limit": {"500"}, "offset": {fmt.Sprint(offset)}}.Encode())
		var page struct {
			Items []niveau `json:"items"`
			Total int      `json:"total"`
		}
		if err := getJSON(ctx, client, u, &page); err != nil {
			return 0, fmt.Errorf("centre stock: %w", err)
		}
		for _, it := range page.Items {
			if it.ProduitID == produit {
				return it.Disponible, nil
			}
		}
		offset += len(page.Items)
		if len(page.Items) == 0 || offset >= page.Total {
			return 0, nil
		}
	}
}

// receive posts one supplier reception and returns the centre's level after it.
func receive(ctx context.Context, client *http.Client, stockURL string, produit, units int64) (niveau, error) {
	body, err := json.Marshal(map[string]any{"produit_id": produit, "quantite": units, "reference": "sagaload"})
	if err != nil {
		return niveau{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(stockURL, "/")+"/logistique/receptions", bytes.NewReader(body))
	if err != nil {
		return niveau{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "sagaload-"+uuid.NewString())
	resp, err := client.Do(req)
	if err != nil {
		return niveau{}, fmt.Errorf("reception of produit %d: %w", produit, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return niveau{}, fmt.Errorf("reception of produit %d: %s: %s", produit, resp.Status, b)
	}
	var out struct {
		Niveau niveau `json:"niveau"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return niveau{}, fmt.Errorf("reception of produit %d: decode: %w", produit, err)
	}
	return out.Niveau, nil
}

func getJSON(ctx context.Context, client *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("GET %s: %s: %s", u, resp.Status, b)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
