package identite

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHasher_HashesToAPHCStringThatVerifiesOnlyItsPassword(t *testing.T) {
	h := NewHasher(DefaultArgon2)
	release, err := h.Acquire(context.Background())
	require.NoError(t, err)
	defer release()

	phc := h.Hash("multimagasins")
	require.Regexp(t, `^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`, phc)
	require.NotEqual(t, phc, h.Hash("multimagasins"), "each hash has its own salt")

	ok, err := h.Verify("multimagasins", phc)
	require.NoError(t, err)
	require.True(t, ok)
	for _, wrong := range []string{"Multimagasins", "multimagasins ", "", "multimagasin"} {
		ok, err := h.Verify(wrong, phc)
		require.NoError(t, err)
		require.False(t, ok, wrong)
	}

	p, salt, key, err := ParsePHC(phc)
	require.NoError(t, err)
	require.Equal(t, DefaultArgon2, p)
	require.Len(t, salt, 16)
	require.Len(t, key, 32)
}

// A hash made with other parameters still verifies: they travel with it.
func TestHasher_VerifiesHashesOfOtherParameters(t *testing.T) {
	old := NewHasher(Argon2Params{Memory: 64, Time: 1, Threads: 2, SaltLen: 8, KeyLen: 16})
	phc := old.Hash("ancien")
	require.True(t, strings.HasPrefix(phc, "$argon2id$v=19$m=64,t=1,p=2$"), phc)
	ok, err := NewHasher(DefaultArgon2).Verify("ancien", phc)
	require.NoError(t, err)
	require.True(t, ok)
}

func TestParsePHC_RefusesWhatIsNotAnArgon2idHashWeCanCheck(t *testing.T) {
	good := NewHasher(DefaultArgon2).Hash("x")
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for name, s := range map[string]string{
		"empty":             "",
		"bcrypt":            "$2a$10$abcdefghijklmnopqrstuuJ2bV1sD3mq0aRk2w8oTqg9x0mR6xJ9K",
		"argon2i":           with(1, "argon2i"),
		"version 16":        with(2, "v=16"),
		"no memory":         with(3, "t=2,p=1"),
		"unknown parameter": with(3, "m=19456,t=2,p=1,x=3"),
		"memory 2 GiB":      with(3, "m=2097152,t=2,p=1"),
		"time 0":            with(3, "m=19456,t=0,p=1"),
		"time 100":          with(3, "m=19456,t=100,p=1"),
		"threads 0":         with(3, "m=19456,t=2,p=0"),
		"threads 300":       with(3, "m=19456,t=2,p=300"),
		"not a number":      with(3, "m=beaucoup,t=2,p=1"),
		"salt not base64":   with(4, "!!!"),
		"salt too short":    with(4, "AAAA"),
		"hash too short":    with(5, "AAAAAAAA"),
		"extra part":        good + "$x",
	} {
		t.Run(name, func(t *testing.T) {
			_, _, _, err := ParsePHC(s)
			require.ErrorIs(t, err, ErrBadHash)
			ok, err := NewHasher(DefaultArgon2).Verify("x", s)
			require.Error(t, err)
			require.False(t, ok)
		})
	}
}

func TestHasher_AcquireWaitsForAFreeSlotOrTheContext(t *testing.T) {
	h := NewHasher(DefaultArgon2)
	var releases []func()
	for range cap(h.slots) {
		r, err := h.Acquire(context.Background())
		require.NoError(t, err)
		releases = append(releases, r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := h.Acquire(ctx)
	require.ErrorIs(t, err, context.Canceled)
	releases[0]()
	r, err := h.Acquire(context.Background())
	require.NoError(t, err)
	r()
}

func TestServiceClients_ParseAndCheck(t *testing.T) {
	c, err := ParseServiceClients("orchestrator:s3cret-o,\n# a comment\n\npanier: s3cret-p \r\nk6:a:b")
	require.NoError(t, err)
	require.True(t, c.Check("orchestrator", "s3cret-o"))
	require.True(t, c.Check("panier", "s3cret-p"))
	require.True(t, c.Check("k6", "a:b"), "a secret may hold colons")
	require.False(t, c.Check("orchestrator", "s3cret-p"))
	require.False(t, c.Check("orchestrator", "s3cret-o "))
	require.False(t, c.Check("orchestrator", ""))
	require.False(t, c.Check("inconnu", "s3cret-o"))
	require.False(t, c.Check("inconnu", ""), "an unknown id never matches the dummy secret")

	for _, bad := range []string{"", "# only a comment", "orchestrator", "orchestrator:", "Orchestrator:x", "a:1,a:2", ":x"} {
		_, err := ParseServiceClients(bad)
		require.Error(t, err, "%q", bad)
	}
}

func TestAdresseClient_TrustsForwardedForOnlyFromAPrivatePeer(t *testing.T) {
	for _, c := range []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"public peer, no header", "198.51.100.1:4000", nil, "198.51.100.1"},
		{"public peer's header is ignored", "198.51.100.1:4000", []string{"203.0.113.5"}, "198.51.100.1"},
		{"loopback peer, no header", "127.0.0.1:4000", nil, "127.0.0.1"},
		{"loopback peer: the last hop", "127.0.0.1:4000", []string{"10.1.1.1, 203.0.113.5"}, "203.0.113.5"},
		{"private peer: the last line's last hop", "172.18.0.4:4000", []string{"198.51.100.7", "203.0.113.5"}, "203.0.113.5"},
		{"IPv6 loopback peer", "[::1]:4000", []string{"2001:db8::1"}, "2001:db8::1"},
		{"a hop that is no address", "10.0.0.2:4000", []string{"203.0.113.5, inconnu"}, "10.0.0.2"},
		{"IPv4 in IPv6", "[::ffff:10.0.0.2]:4000", []string{"::ffff:203.0.113.5"}, "203.0.113.5"},
		{"unparsable peer", "pipe", nil, "0.0.0.0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, AdresseClient(c.peer, c.xff).String())
		})
	}
}

func TestCleAdresse_CountsIPv6ByItsSlash64(t *testing.T) {
	a, b := netip.MustParseAddr("2001:db8:1:2::1"), netip.MustParseAddr("2001:db8:1:2:ffff::9")
	require.Equal(t, CleAdresse(a), CleAdresse(b))
	require.Equal(t, "adresse:2001:db8:1:2::/64", CleAdresse(a))
	require.Equal(t, "adresse:203.0.113.5", CleAdresse(netip.MustParseAddr("::ffff:203.0.113.5")))
	require.Equal(t, CleCompte(" Caissier1 "), CleCompte("caissier1"))
}

func TestNouveauJeton_KeepsOnlyItsDigest(t *testing.T) {
	tok, sum := NouveauJeton()
	require.Len(t, tok, 43)
	require.Equal(t, Empreinte(tok), sum)
	other, _ := NouveauJeton()
	require.NotEqual(t, tok, other)
	require.NotContains(t, string(sum), tok)
}
