# Deux commandes pour un poste neuf avec Python 3.12 : `make run` et `make test`.
PYTHON ?= $(shell command -v python3.12 >/dev/null 2>&1 && echo python3.12 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installe
PORT ?= 8000
# Dépendances verrouillées avec leurs empreintes : base.txt (exécution), dev.txt (exécution + outils).
VERROUS := requirements/base.txt requirements/dev.txt
# La suite sur chaque cœur ; `make test PYTEST_OPTS=-n0` pour un seul processus.
PYTEST_OPTS ?= -n auto --dist worksteal
# Paquets Debian : installés s'il en manque (root avec apt-get), sinon arrêt avec la commande à lancer.
PAQUETS := sh scripts/paquets_systeme.sh
# `make lock` garde les versions verrouillées qui conviennent encore ; `make lock MISE_A_JOUR=1` prend les dernières.
COMPILER := $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.12 --generate-hashes \
	--custom-compile-command "make lock" $(if $(MISE_A_JOUR),--upgrade)

.PHONY: run test install migrate demo quality lint lock bench clean paquets-rendu paquets-test

# Le venv est exactement le verrou : recréé quand un verrou change, rien d'installé hors de requirements/dev.txt.
# Le projet lui-même ne s'installe pas : manage.py et pytest le lisent depuis ce dossier.
$(STAMP): $(VERROUS)
	$(PYTHON) -m venv --clear $(VENV)
	@$(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' || \
		{ echo "Il faut Python 3.12 ($(PYTHON) est $$($(PY) -V)) : make PYTHON=/chemin/vers/python3.12"; exit 1; }
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP)

lock: install
	$(COMPILER) -o requirements/base.txt
	$(COMPILER) --extra dev -c requirements/base.txt -o requirements/dev.txt

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py demo

# DEBUG vaut 0 par défaut : runserver ne sert alors pas les fichiers statiques, WhiteNoise sert ceux collectés.
run: paquets-rendu demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Les linters de `make quality` (et du crochet pre-commit, dont la version de ruff doit être celle du verrou).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@grep -q "ruff==$$($(BIN)/ruff --version | cut -d' ' -f2)\"" .pre-commit-config.yaml || \
		{ echo ".pre-commit-config.yaml : ruff n'est pas à la version du verrou ($$($(BIN)/ruff --version))"; exit 1; }

quality: lint
	$(PY) manage.py makemigrations --check --dry-run

# Vérifiés en premier : s'il manque un paquet qu'on ne peut pas installer, on s'arrête avant tout le reste.
paquets-rendu:
	@$(PAQUETS) rendu

paquets-test:
	@$(PAQUETS) rendu navigateur

test: paquets-test quality
	$(BIN)/pytest $(PYTEST_OPTS)

bench: paquets-rendu migrate
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) db.sqlite3 var
