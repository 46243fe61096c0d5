# Deux commandes pour un poste neuf avec Python 3.12 : `make run` et `make test`.
PYTHON ?= $(shell command -v python3.12 >/dev/null 2>&1 && echo python3.12 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installe
PORT ?= 8000
# Paquets Debian : installés s'il en manque (root avec apt-get), sinon arrêt avec la commande à lancer.
PAQUETS := sh scripts/paquets_systeme.sh

.PHONY: run test install migrate demo quality lint bench clean paquets-rendu paquets-test

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py demo

# DEBUG vaut 0 par défaut : runserver ne sert alors pas les fichiers statiques, WhiteNoise sert ceux collectés.
run: paquets-rendu demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

quality: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

# Vérifiés en premier : s'il manque un paquet qu'on ne peut pas installer, on s'arrête avant tout le reste.
paquets-rendu:
	@$(PAQUETS) rendu

paquets-test:
	@$(PAQUETS) rendu navigateur

test: paquets-test install quality
	$(BIN)/pytest

bench: paquets-rendu migrate
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) db.sqlite3 var
