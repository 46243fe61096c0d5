// Formulaire du dossier : la thématique suit le pilier national (contrats de 2015) ; le numéro suggéré suit
// l'année choisie.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const pilier = document.getElementById("id_pilier");
  const thematique = document.getElementById("id_thematique");
  if (pilier && thematique) {
    const filtrer = () => {
      const code = pilier.selectedOptions[0]?.dataset.pilierAnct;
      for (const option of thematique.options) {
        if (!option.value) continue;
        const garde = !code || option.dataset.pilierAnct === code;
        option.hidden = !garde;
        option.disabled = !garde;
      }
      const courante = thematique.selectedOptions[0];
      if (courante && courante.disabled) thematique.value = "";
    };
    pilier.addEventListener("change", filtrer);
    filtrer();
  }
  const programmation = document.getElementById("id_programmation");
  const numero = document.getElementById("id_numero");
  if (programmation && numero && numero.dataset.suggestions) {
    const suggestions = JSON.parse(numero.dataset.suggestions);
    const suggere = () => new Set(Object.values(suggestions)).has(numero.value) || !numero.value;
    programmation.addEventListener("change", () => {
      if (suggere() && suggestions[programmation.value]) numero.value = suggestions[programmation.value];
    });
  }
});
