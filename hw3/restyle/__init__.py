"""Style transfer: a face redrawn with other hair and eye colours (`extra_run.sh`, `hw3 restyle`).

- `face_image`: reading the input face, with one-line errors for what cannot be used;
- `inversion`: the z that redraws a face in the shipped conditional generator, and the redraw;
- the translator, the default method, is a network (hw3/models/translator.py) trained on the GAN
  loop with StarGAN's loss (hw3/losses/translation.py, configs/translator.toml);
- `restyle`: the pipeline behind the command (check inputs, run the method, figure);
- `figure`: the labelled figure of samples/style.png;
- `measure`: tags, identity, locality and time on rendered test faces (`hw3 restyle-measure`).
- `measure_results`: their summary, written as results JSON and a markdown table.
"""

METHODS = ("translator", "inversion")
# The translator is the default: measured on the same 200 faces x 5 pairs it keeps the face (identity
# and the pixels outside hair and eyes) far better, takes milliseconds instead of seconds, and gives
# the same bytes on every CPU (docs/style_transfer.md; report: "Style transfer").
DEFAULT_METHOD = "translator"
MAX_TAG_LINES = 100  # 15 figure rows, 2,900 px tall; the course's testing_tags.txt has 25 lines
