package webpages

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Each role signs in once, at its first page: its pages must be together,
// and a page found on a list must say which list and what it needs.
func TestAll_RolesTogetherAndListedPagesComplete(t *testing.T) {
	seen := map[string]bool{}
	slugs := map[string]bool{}
	for i, p := range All {
		if i == 0 || All[i-1].Role != p.Role {
			require.False(t, seen[p.Role], "the pages of %s are not together", p.Role)
			seen[p.Role] = true
		}
		require.False(t, slugs[p.Role+p.Slug()], "%s %s: two pages with one screenshot name", p.Role, p.Slug())
		slugs[p.Role+p.Slug()] = true
		if p.Link != nil {
			require.NotEmpty(t, p.ListedOn, p.Path)
			require.NotEmpty(t, p.Needs, p.Path)
		}
	}
}

func TestLink_MatchesOnlyItsPage(t *testing.T) {
	const id = "0b4c3f5e-2a1d-4c9b-8f7e-6d5c4b3a2f10"
	page := func(name string) Page {
		for _, p := range All {
			if p.Name == name {
				return p
			}
		}
		t.Fatalf("no page %s", name)
		return Page{}
	}
	recu, retour := page("recu"), page("retour")
	require.True(t, recu.Link.MatchString("/magasins/3/ventes/"+id))
	require.False(t, recu.Link.MatchString("/magasins/3/ventes/"+id+"/retour"))
	require.True(t, retour.Link.MatchString("/magasins/3/ventes/"+id+"/retour"))
	require.False(t, retour.Link.MatchString("/magasins/3/ventes"))
}
