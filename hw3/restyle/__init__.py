"""Style transfer: a face redrawn with other hair and eye colours (`extra_run.sh`, `hw3 restyle`).

- `face_image`: reading the input face, with one-line errors for what cannot be used;
- `inversion`: the z that redraws a face in the shipped conditional generator, and the redraw;
- `restyle`: the pipeline behind the command (check inputs, invert, redraw, figure);
- `figure`: the labelled figure of samples/style.png;
- `measure`: tags, identity, locality and time on rendered test faces (`hw3 restyle-measure`).
"""
