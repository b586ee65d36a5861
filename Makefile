# redroute: the two commands of the README, and a few for developers.
# A fresh machine needs only Python 3.11+ and make; everything else is installed here.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint install clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "redroute needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

## The main job: plan the founding-of-the-Party walk for today and write its HTML map, leaflet,
## GPX and GeoJSON into out/. The walking network comes from the cache, REDROUTE_OSM, the
## bundled network of central Shanghai (no internet needed), a download, or else the
## estimate, whichever first covers the walk; the first lines of the output say which.
demo: $(STAMP)
	$(BIN)/redroute plan founding -o out/

## The test suite, with lint first (ruff is part of "done").
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

## Rebuild the walking network shipped in the package from the OSM extracts of ../shared: the
## same bytes as the committed file (tests/test_bundle.py checks it).
SHARED_OSM ?= ../shared/data/osm
.PHONY: network
network: $(STAMP)
	$(BIN)/redroute network build $(SHARED_OSM)/shanghai-center-2025.osm.bz2 \
	    $(SHARED_OSM)/shanghai-core-merged.osm --date 2025-08-09 \
	    -o redroute/data/network/shanghai-center.rrnet

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache out site
