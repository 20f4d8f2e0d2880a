package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"multimagasins/identite/internal/identite"
	"multimagasins/kit"
)

func initSecretsRun(t *testing.T, dir string) string {
	t.Helper()
	var out strings.Builder
	require.NoError(t, run(context.Background(), []string{"identite", "-init-secrets", dir}, func(string) string { return "" }, &out))
	return out.String()
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

func TestInitSecrets_WritesWhatIsMissingAndKeepsWhatIsThere(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "secrets")
	out := initSecretsRun(t, dir)
	files := []string{"signing-key.pem", "orchestrator.secret", "panier.secret", "service-clients", "session.key"}
	st, err := os.Stat(dir)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), st.Mode().Perm())
	for _, f := range files {
		require.Contains(t, out, "created "+filepath.Join(dir, f))
		st, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), f)
	}

	// Each file is what its reader expects.
	_, err = kit.NewSigner([]byte(read(t, filepath.Join(dir, "signing-key.pem"))), kit.DefaultIssuer, kit.DefaultAudience)
	require.NoError(t, err)
	orch := strings.TrimSpace(read(t, filepath.Join(dir, "orchestrator.secret")))
	pan := strings.TrimSpace(read(t, filepath.Join(dir, "panier.secret")))
	require.Regexp(t, `^[A-Za-z0-9_-]{43}$`, orch)
	require.NotEqual(t, orch, pan)
	require.Regexp(t, `^[A-Za-z0-9_-]{43}$`, strings.TrimSpace(read(t, filepath.Join(dir, "session.key"))))
	clients, err := identite.ParseServiceClients(read(t, filepath.Join(dir, "service-clients")))
	require.NoError(t, err)
	require.True(t, clients.Check("orchestrator", orch))
	require.True(t, clients.Check("panier", pan))

	// A second run changes nothing.
	before := map[string]string{}
	for _, f := range files {
		before[f] = read(t, filepath.Join(dir, f))
	}
	require.Contains(t, initSecretsRun(t, dir), "every secret is already in")
	for _, f := range files {
		require.Equal(t, before[f], read(t, filepath.Join(dir, f)), f)
	}

	// A secret given by hand is kept, and the client list is built from it.
	dir2 := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir2, "panier.secret"), []byte("choisi-a-la-main\n"), 0o600))
	out = initSecretsRun(t, dir2)
	require.NotContains(t, out, "panier.secret")
	clients, err = identite.ParseServiceClients(read(t, filepath.Join(dir2, "service-clients")))
	require.NoError(t, err)
	require.True(t, clients.Check("panier", "choisi-a-la-main"))
}

func TestInitSecrets_TheServiceStartsFromTheFiles(t *testing.T) {
	dir := t.TempDir()
	initSecretsRun(t, dir)
	cfg, err := loadConfig(func(k string) string {
		return map[string]string{
			"IDENTITE_SIGNING_KEY_FILE":     filepath.Join(dir, "signing-key.pem"),
			"IDENTITE_SERVICE_CLIENTS_FILE": filepath.Join(dir, "service-clients"),
			"CLIENTS_URL":                   "http://127.0.0.1:8001",
		}[k]
	})
	require.NoError(t, err)
	require.True(t, cfg.services.Check("orchestrator", strings.TrimSpace(read(t, filepath.Join(dir, "orchestrator.secret")))))
	require.Equal(t, kit.MaxTokenTTL, cfg.accessTTL)
}

func TestRun_RefusesAnUnknownFlag(t *testing.T) {
	var out strings.Builder
	require.Error(t, run(context.Background(), []string{"identite", "-inconnu"}, func(string) string { return "" }, &out))
}
