"""The lines at the top of every notebook's first code cell: find course_lib, or say in one line how to get it.

A notebook runs where course_lib is installed (``make lab``, ``python -m course_lib lab``, Binder), and also
where it is not: opened from a clone of the course in any Jupyter, the lines find ``course_lib/`` in a folder
above the notebook and put that folder on ``sys.path``; anywhere else (Colab, a lone notebook) they stop with
one line that says how to get it. Importing course_lib needs only the standard library until a module
that needs NumPy is used, so the lines work in any Python. ``tests/test_first_cell.py`` runs them in each case.
"""

FIRST_CELL = '''\
try:  # course_lib: installed, or in the course's folder above this notebook; else one line says how to install it
    import course_lib
except ModuleNotFoundError:
    import pathlib, sys
    _here = pathlib.Path.cwd()
    sys.path[:0] = [str(p) for p in [_here, *_here.parents] if (p / "course_lib" / "__init__.py").is_file()][:1]
    try:
        import course_lib
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "course_lib is not installed: open this notebook from the course's folder, or run  %pip install "
            "<the course's folder or git URL>  in a cell, then restart the kernel") from None
'''
