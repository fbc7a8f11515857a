"""Word vectors for tags: FastText/Word2Vec training, storage without pickle, colour resolution
and free-text tag lines. gensim is imported only inside the functions that train or load."""
