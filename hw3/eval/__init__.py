"""Evaluation of the generators in the feature space of a tag evaluator trained on this data.

`evaluator` (the CNN and its safetensors weights), `train_evaluator` (training and accuracy),
`features` (batched readouts and their cache), one module per metric (`fid`, `kid`,
`precision_recall`, `diversity`, `inception_score`, `tag_accuracy`,
`classification_accuracy_score`, `memorisation`), `generated_set` (sampling through
`sample_fn(hair, eyes, z)`), `evaluate` (all metrics for one generator), `report` (markdown).
"""
