// The till (magasin.html), a receipt (recu.html) and a return (retour.html):
// the product list narrows as one types, the change due and the refund are
// worked out as amounts are typed, and a receipt gets a print button. Every
// one of these forms works without this script; the server computes the
// same amounts again and is the one that counts.
(function () {
  "use strict";

  // argent writes cents as the server's argent does: "1 234,56 $".
  function argent(c) {
    const signe = c < 0 ? "-" : "";
    c = Math.abs(c);
    const entier = Math.floor(c / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
    return signe + entier + "," + String(c % 100).padStart(2, "0") + "\u00a0$";
  }

  // lireMontant reads "50", "50,5" or "50,00 $" into cents; null when unreadable.
  function lireMontant(s) {
    s = s.replace(/[\s\u00a0\u202f$]/g, "").replace(",", ".");
    if (!/^\d+(\.\d{1,2})?$/.test(s)) {
      return null;
    }
    const [e, d = ""] = s.split(".");
    return parseInt(e, 10) * 100 + parseInt((d + "00").slice(0, 2), 10);
  }

  // The till's product list: every word typed must be in the name, the
  // category or the bar code, as the server's search does.
  const recherche = document.getElementById("recherche");
  const produits = document.getElementById("caisse-produits");
  if (recherche && produits) {
    const lignes = produits.querySelectorAll("tbody tr[data-produit-id]");
    const compte = document.getElementById("caisse-produits-compte");
    recherche.addEventListener("input", function () {
      const mots = recherche.value.toLowerCase().split(/\s+/).filter(Boolean);
      let n = 0;
      lignes.forEach(function (tr) {
        const texte = (tr.dataset.nom + " " + tr.dataset.code).toLowerCase();
        const garde = mots.every(function (m) { return texte.includes(m); });
        tr.hidden = !garde;
        if (garde) {
          n++;
        }
      });
      compte.textContent = mots.length ? "(" + n + " produit(s))" : "";
    });
  }

  // The payment: the change due as the cash handed over is typed.
  const paiement = document.getElementById("paiement");
  if (paiement) {
    const total = parseInt(paiement.dataset.totalCents, 10);
    const remis = document.getElementById("remis");
    const sortie = document.getElementById("monnaie");
    const bloc = document.getElementById("bloc-remis");
    const maj = function () {
      const choisi = paiement.querySelector('input[name="methode"]:checked');
      const comptant = choisi !== null && choisi.value === "comptant";
      bloc.hidden = !comptant;
      const m = lireMontant(remis.value);
      if (!comptant || remis.value.trim() === "") {
        sortie.textContent = "";
      } else if (m === null) {
        sortie.textContent = "Montant illisible (ex. 50,00)";
      } else if (m < total) {
        sortie.textContent = "Il manque " + argent(total - m);
      } else {
        sortie.textContent = "Monnaie à rendre : " + argent(m - total);
      }
    };
    paiement.addEventListener("input", maj);
    paiement.addEventListener("change", maj);
    maj();
  }

  // A return: each line's refund and the total as quantities change.
  const retour = document.getElementById("form-retour");
  if (retour) {
    const sortie = document.getElementById("remboursement");
    const maj = function () {
      let total = 0;
      retour.querySelectorAll("tr[data-prix-cents]").forEach(function (tr) {
        const champ = tr.querySelector('input[type="number"]');
        let n = parseInt(champ.value, 10);
        const trop = n > parseInt(champ.max, 10);
        champ.setAttribute("aria-invalid", trop ? "true" : "false");
        if (!(n > 0) || trop) {
          n = 0;
        }
        const montant = n * parseInt(tr.dataset.prixCents, 10);
        tr.querySelector('[data-col="remboursement"]').textContent = argent(montant);
        total += montant;
      });
      sortie.textContent = argent(total);
    };
    retour.addEventListener("input", maj);
  }

  // A receipt: print it (the print style sheet keeps the receipt alone).
  const actions = document.querySelector(".recu-actions");
  if (actions && document.getElementById("recu")) {
    const bouton = document.createElement("button");
    bouton.type = "button";
    bouton.id = "imprimer";
    bouton.textContent = "Imprimer le reçu";
    bouton.addEventListener("click", function () { window.print(); });
    actions.prepend(bouton);
  }
}());
