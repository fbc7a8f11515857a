"""Drawing images from generators: fixed noise, tag grids and PNG files."""
