#!/bin/sh
# Paquets Debian dont le projet a besoin, par usage :
#   rendu       WeasyPrint (PDF du rapport) : `make run`, `make test`, `make bench`
#   navigateur  Chromium, piloté par Playwright dans les tests du portail : `make test`
#   postgresql  le client PostgreSQL (pg_isready, psql) : `.ci/run`
# Usage : scripts/paquets_systeme.sh USAGE...
# Tout est là : ne fait rien. Il en manque : les installe (apt-get update d'abord) si l'on est root avec
# apt-get, sinon s'arrête aussitôt en donnant la commande à lancer.
# poppler-utils (pdftoppm, pdftotext) n'est demandé par rien : pratique pour voir un PDF en images, pas requis.
set -eu

paquets=""
for usage in "$@"; do
  case "$usage" in
    rendu) paquets="$paquets libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core" ;;
    navigateur) paquets="$paquets chromium" ;;
    postgresql) paquets="$paquets postgresql-client" ;;
    *) echo "paquets_systeme.sh : usage inconnu « $usage » (rendu, navigateur, postgresql)" >&2; exit 2 ;;
  esac
done

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "paquets_systeme.sh : système sans dpkg, rien n'est vérifié ; il faut l'équivalent de :$paquets" >&2
  exit 0
fi

manquants=""
for p in $paquets; do
  etat=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$etat" = "install ok installed" ] || manquants="$manquants $p"
done
[ -z "$manquants" ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Paquets système manquants :$manquants ; installation."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086 # une liste de noms de paquets, sans espace dans aucun
  apt-get install -y -qq --no-install-recommends $manquants
  exit 0
fi

echo "Paquets système manquants :$manquants" >&2
echo "Installez-les, puis relancez :" >&2
echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends$manquants" >&2
exit 1
