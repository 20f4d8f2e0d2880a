package main

import (
	"context"
	"fmt"

	"multimagasins/identite/internal/identite"
	"multimagasins/identite/internal/postgres"
	"multimagasins/kit"
)

// DemoPassword is every demo staff account's password (README).
const DemoPassword = "multimagasins"

// demoStaff are the accounts IDENTITE_DEMO=1 writes: one till per store of
// the stock seed, the logistics centre and head office. Names say the role,
// never a person.
var demoStaff = func() []identite.Personnel {
	magasins := []string{"Plateau", "Rosemont", "Vieux-Port", "Verdun", "Saint-Laurent"} // stock's seed, ids 1-5
	var out []identite.Personnel
	for i, nom := range magasins {
		out = append(out, identite.Personnel{Login: fmt.Sprintf("caissier%d", i+1),
			Nom: fmt.Sprintf("Caisse — %s (magasin %d)", nom, i+1), Roles: []kit.Role{kit.RoleCaissier}, MagasinID: int64(i + 1)})
	}
	return append(out,
		identite.Personnel{Login: "logistique", Nom: "Centre logistique", Roles: []kit.Role{kit.RoleLogistique}},
		identite.Personnel{Login: "maison-mere", Nom: "Maison mère", Roles: []kit.Role{kit.RoleMaisonMere}})
}()

// seedDemo writes the demo staff, again at every start: their password is
// the documented one whatever was done to it.
func seedDemo(ctx context.Context, repo *postgres.Repo, h *identite.Hasher) error {
	for _, p := range demoStaff {
		release, err := h.Acquire(ctx)
		if err != nil {
			return err
		}
		p.MotDePasse = h.Hash(DemoPassword)
		release()
		if err := repo.UpsertPersonnel(ctx, p); err != nil {
			return fmt.Errorf("demo staff: %w", err)
		}
	}
	return nil
}
