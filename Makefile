# Two commands for a fresh machine: `bash run_cgan.sh testing_tags.txt` (the main job: it builds
# .venv itself) and `make test`. Every target creates .venv from requirements.txt on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Kernels are looked up here first, so papermill's `-k python3` is always this .venv's Python.
export JUPYTER_PATH := $(CURDIR)/$(VENV)/share/jupyter

DATA_DIR ?= data/anime
DATA_COUNT ?= 30000
SEED ?= 0

# The generators run_cgan.sh and run_gan.sh draw with, and every shipped variant (see weights/*.json).
SHIPPED_CONDITIONAL := acgan
SHIPPED_UNCONDITIONAL := dcgan_sn
VARIANTS := dcgan dcgan_sn cgan_course cgan wgan_clip wgan_gp acgan r3gan

.PHONY: diffusion-evaluate course-check venv data test bench fast-path-check study-gpu bench-sample samples study study-results study-save study-restore ablations translator restyle-measure weights weights-all report text-compare vectors free-text-measure notebooks course-report clean-venv

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

RENDER = $(VENV)/bin/hw3 data render --out $(DATA_DIR) --n $(DATA_COUNT) --seed $(SEED)

data: venv
	$(RENDER)

# Rendered once; later targets reuse it.
$(DATA_DIR)/meta.json: | venv
	$(RENDER)

test: venv
	$(PY) -m pytest -q

# Every study variant and the translator on the fast path and in float32, each row in a fresh
# process, 2 threads, with nothing else running. BASE: a commit whose own `hw3 bench train` runs
# beside each variant's rows (its default path was float32 and eager), for the "vs base" column.
# BENCH_ROUNDS: rounds of the whole sequence, each row's best kept. PYTORCH_EXAMPLES: the path of
# pytorch/examples' dcgan/main.py, timed unchanged on the same images.
BASE ?= 4773e22
BENCH_ROUNDS ?= 2
BENCH_BASE_DIR := .cache/bench-base
BENCH_VARIANTS := dcgan,dcgan_sn,cgan_course,cgan,wgan_clip,wgan_gp,acgan,r3gan,translator
bench: venv $(DATA_DIR)/meta.json
	rm -rf $(BENCH_BASE_DIR) && mkdir -p $(BENCH_BASE_DIR) && git archive $(BASE) | tar -x -C $(BENCH_BASE_DIR)
	$(VENV)/bin/hw3 bench train --data $(DATA_DIR) --variants $(BENCH_VARIANTS) --rounds $(BENCH_ROUNDS) \
	  --base-tree $(BENCH_BASE_DIR) $(if $(PYTORCH_EXAMPLES),--pytorch-examples $(PYTORCH_EXAMPLES)) \
	  --out report/bench_train.json

# The fast path's quality check: acgan and dcgan_sn at 400,000 images on the fast path and
# in float32 (seeds 0 and 1 of each: the run-to-run spread), one thread each, then their in-training
# evaluations at 400,000 images side by side (`make report` tabulates them).
FAST_PATH_RUNS ?= runs/fast_path
fast-path-check: venv $(DATA_DIR)/meta.json
	for variant in acgan dcgan_sn; do \
	  for run in fast_s0 fast_s1 fp32_s0 fp32_s1; do \
	    OMP_NUM_THREADS=1 $(VENV)/bin/hw3 train --config configs/$$variant.toml --data $(DATA_DIR) --steps 6250 \
	      --seed $${run#*_s} --set stopping.plateau=false $$(test $${run%_s*} = fp32 && echo --set mixed_precision=false) \
	      --out $(FAST_PATH_RUNS)/$${variant}_$$run --resume --no-progress || exit 1; \
	  done; \
	done
	$(VENV)/bin/hw3 collect $(FAST_PATH_RUNS)/*_fast_s* $(FAST_PATH_RUNS)/*_fp32_s* --at-images 400000 \
	  --out report/results/fast_path_quality.json

# Every study variant at 10x the CPU study's images, all at once on one GPU, within 8 minutes
# (each run capped at 420 s); everything under runs/study_gpu/, exported weights included.
study-gpu: venv $(DATA_DIR)/meta.json
	$(VENV)/bin/hw3 study-gpu --data $(DATA_DIR) --out runs/study_gpu

# The flow model measured like the GANs, on as many faces as its sampler's cost allows on a CPU
# (a face is 24 guided passes of the U-Net at the shipped 12 Heun steps): the shipped sampler on
# DIFFUSION_SAMPLES faces and the shipped conditional GAN on the same count (FID and recall depend
# on it); then guidance swept at the in-training evaluation's cheaper 4 steps.
DIFFUSION_SAMPLES ?= 400
DIFFUSION_SWEEP_SAMPLES ?= 250
DIFFUSION_SWEEP_STEPS ?= 4
DIFFUSION_GUIDANCE ?= 0 1 2 3
DIFFUSION_RESULTS := report/results/diffusion
DIFFUSION_EVALUATE = $(VENV)/bin/hw3 evaluate --generator weights/diffusion.safetensors --data $(DATA_DIR) \
  --out-dir $(DIFFUSION_RESULTS)
diffusion-evaluate: venv $(DATA_DIR)/meta.json
	$(DIFFUSION_EVALUATE) --num-samples $(DIFFUSION_SAMPLES)
	$(VENV)/bin/hw3 evaluate --generator weights/acgan.safetensors --data $(DATA_DIR) --label acgan-$(DIFFUSION_SAMPLES)-faces \
	  --num-samples $(DIFFUSION_SAMPLES) --out-dir $(DIFFUSION_RESULTS)
	for scale in $(DIFFUSION_GUIDANCE); do \
	  $(DIFFUSION_EVALUATE) --num-samples $(DIFFUSION_SWEEP_SAMPLES) --sample-steps $(DIFFUSION_SWEEP_STEPS) \
	    --guidance-scale $$scale || exit 1; \
	done

# With the flow model shipped, its 25 faces on the grader's path are timed beside the GANs'.
bench-sample: venv
	$(VENV)/bin/hw3 bench sample --out report/bench_sample.json \
	  $(if $(wildcard weights/diffusion.safetensors),--generator weights/diffusion.safetensors)

# Redraw every committed sample from the shipped weights (after new weights): the grader's two
# PNGs, the course's *_original.png copies of them, and the free-text example.
samples: venv
	bash run_gan.sh
	bash run_cgan.sh testing_tags.txt
	cp samples/gan.png samples/gan_original.png
	cp samples/cgan.png samples/cgan_original.png
	bash run_cgan.sh examples/free_text_tags.txt --free-text --out samples/free_text.png >/dev/null

# The study: every variant trained to the same budget, 400,000 real images through D (the config
# files hold the step counts), one after another on one CPU thread each, evaluated during training
# (runs/study/<variant>/log.jsonl) and keeping its best step (checkpoints/best). Resumes where it
# stopped. `make study-results` measures each best step with hw3 evaluate (10,000 faces).
STUDY_VARIANTS ?= dcgan dcgan_sn acgan cgan_course wgan_gp cgan r3gan wgan_clip
study: venv $(DATA_DIR)/meta.json
	for variant in $(STUDY_VARIANTS); do \
	  OMP_NUM_THREADS=1 $(VENV)/bin/hw3 train --config configs/$$variant.toml --data $(DATA_DIR) \
	    --out runs/study/$$variant --resume --no-progress || exit 1; \
	done

# A study run that outlives one machine: `make study-save SAVED_VARIANTS="diffusion cgan"` copies
# what a resume needs (log.jsonl, the latest step and the best step) into saved_runs/<variant>/,
# to be committed; `make study-restore` copies each back into $(STUDY_RUNS)/<variant>/ unless that
# run already holds checkpoints, and `hw3 train ... --resume` goes on from there.
STUDY_RUNS ?= runs/study
SAVED_RUNS ?= saved_runs
SAVED_VARIANTS ?= $(patsubst $(SAVED_RUNS)/%/,%,$(wildcard $(SAVED_RUNS)/*/))
study-save:
	@for variant in $(SAVED_VARIANTS); do \
	  run=$(STUDY_RUNS)/$$variant; latest=$$(ls -d $$run/checkpoints/step_* 2>/dev/null | tail -n 1); \
	  test -n "$$latest" || { echo "$$run: no checkpoint to save (expected checkpoints/step_*)" >&2; exit 1; }; \
	  rm -rf $(SAVED_RUNS)/$$variant && mkdir -p $(SAVED_RUNS)/$$variant/checkpoints || exit 1; \
	  cp $$run/log.jsonl $(SAVED_RUNS)/$$variant/ && cp -r $$latest $(SAVED_RUNS)/$$variant/checkpoints/ || exit 1; \
	  if test -d $$run/checkpoints/best; then cp -r $$run/checkpoints/best $(SAVED_RUNS)/$$variant/checkpoints/ || exit 1; fi; \
	  echo "$$variant: saved $$(basename $$latest)"; \
	done

study-restore:
	@for variant in $(SAVED_VARIANTS); do \
	  run=$(STUDY_RUNS)/$$variant; \
	  if ls -d $$run/checkpoints/step_* >/dev/null 2>&1; then echo "$$run: has checkpoints; left as it is"; continue; fi; \
	  mkdir -p $$run && cp -r $(SAVED_RUNS)/$$variant/. $$run/ || exit 1; \
	  echo "$$variant: restored into $$run"; \
	done

# Each finished study run's best step becomes the variant's file in weights/ (with its training
# log, whose evaluations the report plots); `make report` then measures it (10,000 faces) and
# compares every variant at the budget its sidecar records.
study-results: venv
	for variant in $(STUDY_VARIANTS); do \
	  test -d runs/study/$$variant/checkpoints/best || continue; \
	  $(VENV)/bin/hw3 export --run runs/study/$$variant/checkpoints/best --out weights/$$variant.safetensors || exit 1; \
	done

# The study's ablations (configs/ablations/ablations.toml): each a study config with one change, trained for
# part of the budget, its evaluations written to report/results/ablations/; then every finished
# study run's chosen step measured without the moving average of G. `make report` tabulates them.
ablations: venv $(DATA_DIR)/meta.json
	for name in $$($(VENV)/bin/hw3 ablate --list); do \
	  OMP_NUM_THREADS=1 $(VENV)/bin/hw3 ablate $$name --data $(DATA_DIR) --no-progress || exit 1; \
	done
	for variant in $(STUDY_VARIANTS); do \
	  test -d runs/study/$$variant/checkpoints/best || continue; \
	  $(VENV)/bin/hw3 ablate --without-ema $$variant --data $(DATA_DIR) || exit 1; \
	done

# Style transfer's translator (configs/translator.toml, hw3 restyle --method translator): trained
# on the same loop, exported to weights/translator.safetensors. `make restyle-measure` then
# measures both methods on 200 test faces x 5 target pairs.
translator: venv $(DATA_DIR)/meta.json
	OMP_NUM_THREADS=1 $(VENV)/bin/hw3 train --config configs/translator.toml --data $(DATA_DIR) \
	  --out runs/translator --resume --no-progress
	$(VENV)/bin/hw3 export --run runs/translator --out weights/translator.safetensors

restyle-measure: venv $(DATA_DIR)/meta.json
	$(VENV)/bin/hw3 restyle-measure --data $(DATA_DIR) --method inversion --out report/results/restyle.json
	$(VENV)/bin/hw3 restyle-measure --data $(DATA_DIR) --method translator --out report/results/restyle_translator.json

# Retrain a shipped generator from scratch with its config (resumes if interrupted), replace
# weights/<variant>.safetensors and measure it. `make weights` is the one run_cgan.sh uses.
weights: weights-$(SHIPPED_CONDITIONAL) weights-$(SHIPPED_UNCONDITIONAL)

weights-all: $(addprefix weights-,$(VARIANTS))

# --stop-as: the shipped run's images through D, where a time limit stopped it or it was exported.
weights-%: venv $(DATA_DIR)/meta.json
	$(VENV)/bin/hw3 train --config configs/$*.toml --data $(DATA_DIR) --out runs/retrain/$* \
	  --stop-as weights/$*.json --resume
	$(VENV)/bin/hw3 export --run runs/retrain/$* --out weights/$*.safetensors
	$(VENV)/bin/hw3 evaluate --generator weights/$*.safetensors --data $(DATA_DIR) \
	  --out-dir runs/retrain/evaluation --reference report/results/$*.json

# The course's baseline check on the two run scripts' figures, seeds 0-4: its anime-face cascade
# must find 20 of 25 faces. The cascade and OpenCV are not project dependencies: CASCADE_PYTHON is
# a Python with opencv-python-headless<5, COURSE_DETECT the course's detect script beside it.
# GENERATOR_GAN / GENERATOR_CGAN: other weights to check (default: what the scripts ship).
# The same figures drawn with real faces (`hw3 data figure`, REAL_SEEDS) are the ceiling: the
# cascade misses some real faces too. run_gan.sh's: 25 training faces (the mix G learns);
# run_cgan.sh's: a test-split face of each line's pair (the test split holds every pair).
CASCADE_PYTHON ?= python3
COURSE_DETECT ?= ../shared/course_baseline/detect.py
COURSE_CHECK_DIR ?= runs/course_check
REAL_SEEDS ?= 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19
course-check: venv $(DATA_DIR)/meta.json
	mkdir -p $(COURSE_CHECK_DIR)
	$(VENV)/bin/hw3 data figure --data $(DATA_DIR) --seed $(REAL_SEEDS) --no-progress \
	  --out '$(COURSE_CHECK_DIR)/real_gan_seed{seed}.png' >/dev/null
	for tags in testing_tags examples/course_tags; do \
	  $(VENV)/bin/hw3 data figure --data $(DATA_DIR) --split test --tags $$tags.txt --seed $(REAL_SEEDS) --no-progress \
	    --out "$(COURSE_CHECK_DIR)/real_cgan_$$(basename $$tags)_seed{seed}.png" >/dev/null || exit 1; \
	done
	for seed in 0 1 2 3 4; do \
	  bash run_gan.sh --seed $$seed --out $(COURSE_CHECK_DIR)/gan_seed$$seed.png \
	    $(if $(GENERATOR_GAN),--generator $(GENERATOR_GAN)) >/dev/null || exit 1; \
	  for tags in testing_tags examples/course_tags; do \
	    bash run_cgan.sh $$tags.txt --seed $$seed --out $(COURSE_CHECK_DIR)/cgan_$$(basename $$tags)_seed$$seed.png \
	      $(if $(GENERATOR_CGAN),--generator $(GENERATOR_CGAN)) >/dev/null || exit 1; \
	  done; \
	done
	$(CASCADE_PYTHON) $(COURSE_DETECT) $(COURSE_CHECK_DIR)/gan_seed*.png $(COURSE_CHECK_DIR)/cgan_*_seed*.png \
	  $(COURSE_CHECK_DIR)/real_*_seed*.png \
	  | tee $(COURSE_CHECK_DIR)/faces_found.txt
	cp $(COURSE_CHECK_DIR)/faces_found.txt report/results/course_check.txt

report: venv $(DATA_DIR)/meta.json
	$(VENV)/bin/hw3 report --data $(DATA_DIR) --out report

# The report's condition-encoder table: the ACGAN config with G's encoder swapped, equal steps.
# It was measured before the config drew tag pairs uniformly and halved the mode-seeking weight;
# the two --set flags keep it reproducible.
TEXT_COMPARE_STEPS ?= 500
TEXT_COMPARE_SETTINGS ?= --set data.balanced_sampling=false --set loss.mode_seeking_weight=1.0
text-compare: venv $(DATA_DIR)/meta.json
	for encoder in onehot embedding fasttext; do \
	  $(VENV)/bin/hw3 train --config configs/acgan.toml $(TEXT_COMPARE_SETTINGS) --set generator.condition=$$encoder \
	    --steps $(TEXT_COMPARE_STEPS) --data $(DATA_DIR) --out runs/text_compare/$$encoder --resume && \
	  $(VENV)/bin/hw3 evaluate --generator runs/text_compare/$$encoder --label $$encoder-step$(TEXT_COMPARE_STEPS) \
	    --data $(DATA_DIR) --out-dir report/results/conditioning || exit 1; \
	done

# Every notebook run with its defaults (the shipped weights, logs and results), outputs kept in
# report/notebooks/: what a reader of the repository sees. tests/test_notebooks.py checks they
# are current. Run after editing a notebook or replacing a shipped generator.
notebooks: venv
	mkdir -p report/notebooks
	for notebook in notebooks/[0-9][0-9]_*.ipynb; do \
	  $(VENV)/bin/papermill $$notebook report/notebooks/$$(basename $$notebook) -k python3 --cwd notebooks \
	    --no-progress-bar --log-level WARNING || exit 1; \
	done

vectors: venv $(DATA_DIR)/meta.json
	$(VENV)/bin/hw3 text train --data $(DATA_DIR) --out weights/word_vectors --seed $(SEED)

# Free-text colour words on seeded misspellings and non-colour words (hw3/text/misspellings.py).
free-text-measure: venv
	$(VENV)/bin/hw3 text measure --out report/results/free_text

# The course's own data end to end (docs/course_data.md): COURSE holds faces/ and
# tags.csv (the 33k set), EXTRA (optional) images/ and tags.csv. Everything lands in runs/course.
COURSE_DATA ?= data/course
COURSE_VARIANT ?= acgan
COURSE_STEPS ?=
COURSE_RUNS := runs/course
course-report: venv
	@test -n "$(COURSE)$(EXTRA)" || { echo "usage: make course-report COURSE=path/to/data [EXTRA=path/to/extra_data]" >&2; exit 2; }
	$(VENV)/bin/hw3 data import --out $(COURSE_DATA) \
	  $(if $(COURSE),--faces $(COURSE)/faces --faces-tags $(COURSE)/tags.csv) \
	  $(if $(EXTRA),--extra $(EXTRA)/images --extra-tags $(EXTRA)/tags.csv)
	$(VENV)/bin/hw3 evaluator train --data $(COURSE_DATA) --out $(COURSE_RUNS)/evaluator.safetensors
	$(VENV)/bin/hw3 train --config configs/$(COURSE_VARIANT).toml --data $(COURSE_DATA) \
	  --out $(COURSE_RUNS)/$(COURSE_VARIANT) --resume $(if $(COURSE_STEPS),--steps $(COURSE_STEPS))
	$(VENV)/bin/hw3 export --run $(COURSE_RUNS)/$(COURSE_VARIANT) --out $(COURSE_RUNS)/weights/$(COURSE_VARIANT).safetensors
	$(VENV)/bin/hw3 report --weights $(COURSE_RUNS)/weights --data $(COURSE_DATA) --out $(COURSE_RUNS)/report \
	  --evaluator $(COURSE_RUNS)/evaluator.safetensors --tags $(COURSE_DATA)/test_tags.txt

clean-venv:
	rm -rf $(VENV)
