package postmangen

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// FetchSpecs reads the /openapi.json of every backend of krakend.json from
// the running processes, urlOf giving each host's base URL ("" when it is
// not running).
func FetchSpecs(ctx context.Context, krakend []byte, urlOf func(host string) string) (map[string][]byte, error) {
	hosts, err := Hosts(krakend)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 30 * time.Second}
	specs := map[string][]byte{}
	for _, h := range hosts {
		base := urlOf(h)
		if base == "" {
			return nil, fmt.Errorf("%s is not running: its /openapi.json is needed", h)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/openapi.json", nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s/openapi.json: %d", base, resp.StatusCode)
		}
		specs[h] = raw
	}
	return specs, nil
}
