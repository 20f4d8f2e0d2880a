package identite

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are argon2id's cost settings, written into every hash so a
// later change of the defaults still verifies the old hashes.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultArgon2 is OWASP's first recommended argon2id setting (Password
// Storage Cheat Sheet): 19 MiB, two passes, one lane. About 20-40 ms on one
// core, so a sign-in costs little and an offline guess costs as much.
var DefaultArgon2 = Argon2Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Bounds on what a stored hash may ask for: a corrupted or hostile row must
// not make one verification take gigabytes or minutes.
const (
	maxMemory  = 1 << 20 // 1 GiB
	maxTime    = 16
	maxKeyLen  = 128
	minKeyLen  = 16
	minSaltLen = 8
)

// ErrBadHash is a stored hash that is not an argon2id PHC string we can check.
var ErrBadHash = errors.New("not an argon2id PHC string")

// Hasher hashes and checks passwords. Each hash holds Memory KiB for its
// duration, so at most a few run at once: a burst of sign-ins waits its turn
// instead of taking the memory of the process.
type Hasher struct {
	params Argon2Params
	slots  chan struct{}
	dummy  string // the hash an unknown account is checked against
}

// NewHasher returns a Hasher with p and as many concurrent hashes as cores
// (at least two).
func NewHasher(p Argon2Params) *Hasher {
	h := &Hasher{params: p, slots: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}
	var b [32]byte
	_, _ = rand.Read(b[:])
	h.dummy = h.hash(b[:], mustSalt(p.SaltLen))
	return h
}

// Acquire takes one of the hashing slots until release is called. The token
// endpoint holds it across its whole check (lock, hash, record), so at most
// that many attempts are between the throttle's check and its record at once.
func (h *Hasher) Acquire(ctx context.Context) (release func(), err error) {
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Hash returns password's argon2id PHC string with a fresh random salt:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, base64 without padding.
// The caller holds a slot (Acquire).
func (h *Hasher) Hash(password string) string {
	return h.hash([]byte(password), mustSalt(h.params.SaltLen))
}

func (h *Hasher) hash(password, salt []byte) string {
	p := h.params
	key := argon2.IDKey(password, salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify reports whether password matches the PHC string phc, comparing in
// constant time. The caller holds a slot (Acquire).
func (h *Hasher) Verify(password, phc string) (bool, error) {
	p, salt, want, err := ParsePHC(phc)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// VerifyNothing spends the time of one verification and fails: an unknown
// account costs what a known one costs, so timing does not tell them apart.
func (h *Hasher) VerifyNothing(password string) {
	_, _ = h.Verify(password, h.dummy)
}

var b64 = base64.RawStdEncoding

// ParsePHC reads an argon2id PHC string: its parameters, salt and hash.
func ParsePHC(s string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrBadHash
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: version %q", ErrBadHash, parts[2])
	}
	seen := 0
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return p, nil, nil, fmt.Errorf("%w: parameter %q", ErrBadHash, kv)
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, nil, nil, fmt.Errorf("%w: parameter %q", ErrBadHash, kv)
		}
		switch k {
		case "m":
			p.Memory, seen = uint32(n), seen|1
		case "t":
			p.Time, seen = uint32(n), seen|2
		case "p":
			if n > 255 {
				return p, nil, nil, fmt.Errorf("%w: parameter %q", ErrBadHash, kv)
			}
			p.Threads, seen = uint8(n), seen|4
		default:
			return p, nil, nil, fmt.Errorf("%w: parameter %q", ErrBadHash, kv)
		}
	}
	if seen != 7 || p.Threads == 0 || p.Time == 0 || p.Time > maxTime ||
		p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory {
		return p, nil, nil, fmt.Errorf("%w: parameters %q", ErrBadHash, parts[3])
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen {
		return p, nil, nil, fmt.Errorf("%w: salt", ErrBadHash)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return p, nil, nil, fmt.Errorf("%w: hash", ErrBadHash)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

func mustSalt(n uint32) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on a supported platform
	}
	return b
}
