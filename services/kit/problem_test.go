package kit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

// The database going away is a 503 the client may retry; a statement's own
// fault stays a 500 that leaks nothing.
func TestInternal_DatabaseAwayIs503WithRetryAfter(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	for _, c := range []struct {
		err    error
		status int
	}{
		{&pgconn.PgError{Severity: "FATAL", Code: "57P01", Message: "terminating connection due to administrator command"}, 503},
		{fmt.Errorf("create saga: %w", &pgconn.PgError{Code: "08006"}), 503},
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), 503},
		{&pgconn.PgError{Code: "23505", Message: "duplicate key"}, 500},
		{errors.New("a bug"), 500},
	} {
		err := Internal(context.Background(), log, c.err)
		var se huma.StatusError
		require.ErrorAs(t, err, &se)
		require.Equal(t, c.status, se.GetStatus(), "%v", c.err)
		require.NotContains(t, se.Error(), "duplicate", "the cause stays in the logs")
		var hs huma.HeadersError
		if c.status == 503 {
			require.ErrorAs(t, err, &hs)
			require.Equal(t, "1", hs.GetHeaders().Get("Retry-After"))
		}
	}
}

// A value is echoed in JSON, which writes each byte that is not UTF-8 as
// U+FFFD (3 bytes): the cut counts those, so 100 bad bytes come back as at
// most MaxEchoBytes, not 300 (found by FuzzClients_Decoders).
func TestClip_CountsTheBytesJSONWrites(t *testing.T) {
	for _, s := range []string{strings.Repeat("\xff", 100), strings.Repeat("a\xed\xa0\x80", 40), strings.Repeat("é", 60) + "\xff"} {
		b, err := json.Marshal(clip(s, MaxEchoBytes))
		require.NoError(t, err)
		var back string
		require.NoError(t, json.Unmarshal(b, &back))
		require.LessOrEqual(t, len(back), MaxEchoBytes+len("…"), "%q", back)
	}
	require.Equal(t, "court", clip("court", MaxEchoBytes))
	require.Equal(t, "a\uFFFDb", clip("a\xff\xfeb", MaxEchoBytes), "a run of bad bytes is one U+FFFD")
}
