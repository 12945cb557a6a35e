# Makes ROOT/<test>/runtime folders with mode 0700 on demand: tests create their own subfolders, this
# only guarantees a clean root.
file(REMOVE_RECURSE "${ROOT}")
file(MAKE_DIRECTORY "${ROOT}")
