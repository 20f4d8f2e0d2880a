package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"multimagasins/kit"
)

// The files identite -init-secrets DIR writes, for the native launcher and
// compose's init container to hand to each process (*_FILE variables).
const (
	SigningKeyFile     = "signing-key.pem" // IDENTITE_SIGNING_KEY_FILE
	ServiceClientsFile = "service-clients" // IDENTITE_SERVICE_CLIENTS_FILE
	SessionKeyFile     = "session.key"     // web: SESSION_KEY_FILE
	secretSuffix       = ".secret"         // <client>.secret: that service's SERVICE_CLIENT_SECRET_FILE
)

// APIClients are the services that get their own API client.
var APIClients = []string{"orchestrator", "panier"}

// initSecrets creates dir (0700) and writes, 0600, each secret file that is
// not there yet; existing files are never touched, so a second run (or a
// second container) keeps the keys that tokens and sessions already use.
func initSecrets(dir string, stdout io.Writer) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("init-secrets: %w", err)
	}
	created := 0
	write := func(name string, make func() ([]byte, error)) error {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); err == nil {
			return nil
		}
		b, err := make()
		if err != nil {
			return fmt.Errorf("init-secrets %s: %w", name, err)
		}
		// O_EXCL: of two runs at once, one writes and the other keeps its file.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("init-secrets: %w", err)
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			os.Remove(path)
			return fmt.Errorf("init-secrets %s: %w", name, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("init-secrets %s: %w", name, err)
		}
		created++
		fmt.Fprintln(stdout, "created", path)
		return nil
	}

	if err := write(SigningKeyFile, kit.GenerateSigningKey); err != nil {
		return err
	}
	for _, id := range APIClients {
		if err := write(id+secretSuffix, randomSecret); err != nil {
			return err
		}
	}
	// Built from the secret files as they are now, new or kept.
	if err := write(ServiceClientsFile, func() ([]byte, error) {
		var b strings.Builder
		for _, id := range APIClients {
			s, err := os.ReadFile(filepath.Join(dir, id+secretSuffix))
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&b, "%s:%s\n", id, strings.TrimSpace(string(s)))
		}
		return []byte(b.String()), nil
	}); err != nil {
		return err
	}
	if err := write(SessionKeyFile, randomSecret); err != nil {
		return err
	}
	if created == 0 {
		fmt.Fprintln(stdout, "every secret is already in", dir)
	}
	return nil
}

// randomSecret is 32 random bytes, base64url without padding (43 characters).
func randomSecret() ([]byte, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	return []byte(base64.RawURLEncoding.EncodeToString(b[:]) + "\n"), nil
}
