package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"multimagasins/commande/internal/demo"
	"multimagasins/kit"
	"multimagasins/kit/api/clientsapi"
)

// compte is the staff account the generator signs in as: the head office,
// which may create customers (the clients service's rule), as it would
// when it enrols loyalty-card holders.
type compte struct {
	tokenURL, nom, motDePasse string
}

// jetons signs in at identite (password grant) and returns a source that
// renews the token (refresh grant) if the run outlives it.
func (c compte) jetons(ctx context.Context) (oauth2.TokenSource, error) {
	conf := &oauth2.Config{ClientID: "generer", Endpoint: oauth2.Endpoint{TokenURL: c.tokenURL, AuthStyle: oauth2.AuthStyleInParams}}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Timeout: 10 * time.Second})
	tok, err := conf.PasswordCredentialsToken(ctx, c.nom, c.motDePasse)
	if err != nil {
		return nil, fmt.Errorf("sign in as %s at %s: %w", c.nom, c.tokenURL, err)
	}
	return conf.TokenSource(ctx, tok), nil
}

// parallele is how many accounts are created at once: enough to hide the
// round trips, few enough not to crowd the clients service's pool.
const parallele = 8

// creerClients makes sure the n demo customers exist in the clients
// service, which owns them, and returns their ids in Clientele's order.
// Each is created under the Idempotency-Key demo-client-<n>, so a second
// run (or one after a crash halfway) gets the same accounts back and
// creates none twice.
func creerClients(ctx context.Context, api *clientsapi.Client, n int) ([]int64, error) {
	fiches := demo.Clientele(demo.GraineClientele, n)
	ids := make([]int64, len(fiches))
	errs := make([]error, len(fiches))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(parallele, len(fiches)) {
		wg.Go(func() {
			for i := range next {
				ids[i], errs[i] = creerClient(ctx, api, i+1, fiches[i])
			}
		})
	}
	for i := range fiches {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return ids, nil
}

func creerClient(ctx context.Context, api *clientsapi.Client, n int, f clientsapi.Fields) (int64, error) {
	c, err := api.CreateClientOnce(ctx, fmt.Sprintf("demo-client-%d", n), f)
	if err == nil {
		return c.ID, nil
	}
	if kit.StatusOf(err) != http.StatusConflict {
		return 0, fmt.Errorf("demo customer %d (%s): %w", n, f.Email, err)
	}
	// The email is taken with no answer kept under the key (the account
	// was made another way): that account is the customer.
	page, lerr := api.ListClients(ctx, clientsapi.ListClientsParams{Q: f.Email})
	if lerr != nil {
		return 0, fmt.Errorf("demo customer %d (%s): %w", n, f.Email, errors.Join(err, lerr))
	}
	for _, k := range page.Items {
		if strings.EqualFold(k.Email, f.Email) {
			return k.ID, nil
		}
	}
	return 0, fmt.Errorf("demo customer %d (%s): %w", n, f.Email, err)
}
