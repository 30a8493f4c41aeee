"""Sphinx configuration of the web edition (``python -m course_lib.book`` passes this folder as ``-c``).

Sphinx with MyST-NB renders the executed student notebooks; the theme is sphinx-book-theme (Jupyter
Book's). Nothing is loaded from the network when the site is built or viewed: MathJax is served from the
site itself, the interactive figures run on ``widgets.js`` instead of a widget manager from a CDN, and the
theme's links to launch services and repositories are off.
"""

project = "Diffusion models, part 1: the forward process"
author = "the course's authors"
copyright = "the course's authors, MIT licence"
language = "en"

extensions = ["myst_nb", "sphinx.ext.githubpages"]  # githubpages: writes .nojekyll (GitHub Pages serves _static/)
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
exclude_patterns = ["downloads/**", "**.ipynb_checkpoints"]
suppress_warnings = ["mystnb.unknown_mime_type"]

# The notebooks arrive executed (course_lib.book.build): MyST-NB only renders them.
nb_execution_mode = "off"
nb_merge_streams = True
# The kernel-free widgets (anywidget models) are mounted by _static/widgets.js from the page's saved widget
# state; no ipywidgets HTML manager, RequireJS or CDN.
nb_ipywidgets_js = {}
nb_render_plugin = "course"

# Maths: MathJax 3 from the site itself (copied from the sphinx-mathjax-offline package by the build).
mathjax_path = "mathjax/tex-chtml.js"
mathjax3_config = {"options": {"menuOptions": {"settings": {"assistiveMml": True}}}}

html_theme = "sphinx_book_theme"
html_title = project
html_favicon = "static/favicon.svg"
templates_path = ["templates"]
html_sidebars = {"**": ["course-brand.html", "search-button-field.html", "sbt-sidebar-nav.html"]}
html_context = {"default_mode": "light"}  # the figures are drawn on white
html_static_path = ["static"]  # the build passes the course's static folder and the MathJax copy
html_css_files = ["course.css"]
html_js_files = [("widgets.js", {"type": "module"})]
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "use_download_button": False,  # each page links to its student notebook instead (a banner after the title)
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "launch_buttons": {},
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
