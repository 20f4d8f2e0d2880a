package ui

import (
	"net/url"
	"time"

	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/sagaapi"
)

// parcours is the way an online order goes, one state after the other; it
// ends CONFIRMEE, or ANNULEE at any step.
var parcours = []commandeapi.Statut{commandeapi.Creee, commandeapi.StockVerifie, commandeapi.StockReserve,
	commandeapi.Payee, commandeapi.Confirmee}

// libelleStatut says an order's state in words a shopper reads.
func libelleStatut(s commandeapi.Statut) string {
	switch s {
	case commandeapi.Creee:
		return "Commande créée"
	case commandeapi.StockVerifie:
		return "Stock vérifié"
	case commandeapi.StockReserve:
		return "Articles réservés"
	case commandeapi.Payee:
		return "Paiement accepté"
	case commandeapi.Confirmee:
		return "Commande confirmée"
	case commandeapi.Annulee:
		return "Commande annulée"
	}
	return string(s)
}

// statutCourt is an order's state as a list's column says it.
func statutCourt(s commandeapi.Statut) string {
	switch s {
	case commandeapi.Creee:
		return "Créée"
	case commandeapi.StockVerifie:
		return "Stock vérifié"
	case commandeapi.StockReserve:
		return "Réservée"
	case commandeapi.Payee:
		return "Payée"
	case commandeapi.Confirmee:
		return "Confirmée"
	case commandeapi.Annulee:
		return "Annulée"
	}
	return string(s)
}

// Where a step of the timeline stands.
const (
	etapeFaite   = "faite"
	etapeEnCours = "en-cours"
	etapeAVenir  = "a-venir"
	etapeAnnulee = "annulee"
)

// etapeFrise is one step of an order's timeline.
type etapeFrise struct {
	Statut   commandeapi.Statut
	Libelle  string
	Etat     string    // etapeFaite, etapeEnCours, etapeAVenir or etapeAnnulee
	At       time.Time // zero for a step not reached
	Motif    string
	Courante bool // the step the order is at: aria-current
}

// EtatTexte says the step's progress for a screen reader and for the eye.
func (e etapeFrise) EtatTexte() string {
	switch e.Etat {
	case etapeFaite:
		return "fait"
	case etapeEnCours:
		return "en cours"
	case etapeAnnulee:
		return "annulée"
	}
	return "à venir"
}

// Quand is the step's time in Montréal, to the second: a checkout's steps
// often fall in the same minute.
func (e etapeFrise) Quand() string { return e.At.In(montreal).Format("2006-01-02 15:04:05") }

// jalon is a state an order entered, from a saga or from commande's history.
type jalon struct {
	Statut commandeapi.Statut
	At     time.Time
	Motif  string
}

// frise lays out an order's timeline: the states reached, in the order they
// were, then, unless the order is over, the ones still ahead, the first of
// them in progress. A cancelled order ends at ANNULEE with its reason; the
// steps it never reached are not shown.
func frise(atteints []jalon, termine bool) []etapeFrise {
	var out []etapeFrise
	vu := map[commandeapi.Statut]bool{}
	fin := termine
	for _, j := range atteints {
		e := etapeFrise{Statut: j.Statut, Libelle: libelleStatut(j.Statut), Etat: etapeFaite, At: j.At, Motif: j.Motif}
		if j.Statut == commandeapi.Annulee {
			e.Etat, fin = etapeAnnulee, true
		}
		if j.Statut == commandeapi.Confirmee {
			fin = true
		}
		vu[j.Statut] = true
		out = append(out, e)
	}
	if !fin {
		for _, st := range parcours {
			if vu[st] {
				continue
			}
			etat := etapeAVenir
			if !termine && (len(out) == 0 || out[len(out)-1].Etat == etapeFaite) {
				etat = etapeEnCours
			}
			out = append(out, etapeFrise{Statut: st, Libelle: libelleStatut(st), Etat: etat})
		}
	}
	// The current step: the one in progress, else the last one reached.
	courante := -1
	for i, e := range out {
		if e.Etat == etapeEnCours {
			courante = i
			break
		}
		if e.Etat != etapeAVenir {
			courante = i
		}
	}
	if courante >= 0 {
		out[courante].Courante = true
	}
	return out
}

// friseSaga is the timeline of a checkout the page follows. A saga still
// running carries its reason for waiting in Motif: that is not a
// cancellation's reason, so it stays off the steps.
func friseSaga(sg *sagaapi.Saga) []etapeFrise {
	js := make([]jalon, 0, len(sg.Etapes))
	for _, e := range sg.Etapes {
		j := jalon{Statut: commandeapi.Statut(e.Etat), At: e.At}
		if e.Etat == sagaapi.Annulee {
			j.Motif = sg.Motif
		}
		js = append(js, j)
	}
	return frise(js, sg.Termine)
}

// friseCommande is the timeline of a recorded order, from its history.
func friseCommande(c commandeapi.Commande) []etapeFrise {
	js := make([]jalon, 0, len(c.Historique))
	for _, e := range c.Historique {
		js = append(js, jalon{Statut: e.Statut, At: e.At, Motif: e.Motif})
	}
	// A recorded order moves on only through its saga: one not over is
	// shown with its next step in progress.
	return frise(js, c.Statut == commandeapi.Confirmee || c.Statut == commandeapi.Annulee)
}

// suivi is the checkout the shop page follows after Commander.
type suivi struct {
	Saga     *sagaapi.Saga
	Etapes   []etapeFrise
	Commande string // the order's page, once there is an order
}

func suiviDe(sg *sagaapi.Saga) *suivi {
	if sg == nil {
		return nil
	}
	v := &suivi{Saga: sg, Etapes: friseSaga(sg)}
	if sg.CommandeID != nil {
		v.Commande = lienCommande(sg.CommandeID.String())
	}
	return v
}

func lienCommande(id string) string { return "/boutique/commandes/" + url.PathEscape(id) }
