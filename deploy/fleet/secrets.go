package fleet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
)

// The files of the secrets directory, as `identite -init-secrets DIR`
// writes them. No secret is in git or in a command line: each process reads
// its own through a *_FILE variable.
const (
	SigningKeyFile     = "signing-key.pem" // identite's RSA private key(s), PEM; the first signs
	ServiceClientsFile = "service-clients" // identite's API clients of the service role, id:secret
	SessionKeyFile     = "session.key"     // the web instances' shared session key
)

// ServiceSecretFile is the file holding a service's own client secret at
// identite ("orchestrator" -> orchestrator.secret).
func ServiceSecretFile(service string) string { return service + ".secret" }

// tokenClients are the services that call others with a service token
// (client credentials at identite's /auth/jeton).
var tokenClients = []string{"orchestrator", "panier"}

func secretFiles() []string {
	files := []string{SigningKeyFile, ServiceClientsFile, SessionKeyFile}
	for _, s := range tokenClients {
		files = append(files, ServiceSecretFile(s))
	}
	return files
}

// prepareSecrets makes the secrets directory on the first run by asking
// identite, which knows what it and its callers need; later runs keep the
// files, so tokens, sessions and service clients survive a restart.
// Options.SigningKey then replaces the signing key.
func (f *Fleet) prepareSecrets(ctx context.Context) error {
	dir := f.opts.SecretsDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	// Only the launcher's user (and so its processes) may read them.
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	if slices.ContainsFunc(secretFiles(), func(name string) bool { return !exists(filepath.Join(dir, name)) }) {
		cmd := exec.CommandContext(ctx, filepath.Join(f.opts.BinDir, "identite"), "-init-secrets", dir)
		cmd.Dir = f.root
		cmd.Env = environ(nil)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("identite -init-secrets %s: %w\n%s", dir, err, out.String())
		}
		f.printf("secrets made in %s\n", dir)
	}
	if f.opts.SigningKey != nil {
		if err := os.WriteFile(filepath.Join(dir, SigningKeyFile), f.opts.SigningKey, 0o600); err != nil {
			return err
		}
	}
	var missing []error
	for _, name := range secretFiles() {
		if !exists(filepath.Join(dir, name)) {
			missing = append(missing, fmt.Errorf("identite -init-secrets left no %s in %s", name, dir))
		}
	}
	return errors.Join(missing...)
}

// SecretsDir is the folder of the fleet's keys and secrets: tests read
// SigningKeyFile there to sign tokens the whole fleet accepts.
func (f *Fleet) SecretsDir() string { return f.opts.SecretsDir }

// SecretPath is the path of one file of the secrets directory.
func (f *Fleet) SecretPath(name string) string { return filepath.Join(f.opts.SecretsDir, name) }
