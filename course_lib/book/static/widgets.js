// Runs the course's kernel-free widgets on a static page, with no widget manager, RequireJS or CDN.
//
// MyST-NB puts the notebook's saved widget state in the page (a script of type widget-state+json) and, where
// each widget was displayed, a script of type widget-view+json naming its model. The course's interactive
// figures are anywidget models: their state carries their own ES module (_esm) and styles (_css). This host
// gives each module the small model interface anywidget defines (get, set, on, off, save_changes, send) and
// calls its render, exactly as anywidget does in JupyterLab; with no kernel, save_changes keeps changes here.

const STATE = "application/vnd.jupyter.widget-state+json";
const VIEW = "application/vnd.jupyter.widget-view+json";

class PageModel {
  constructor(state) {
    this.state = { ...state };
    this.listeners = new Map();
  }
  get(name) { return this.state[name]; }
  set(name, value) {
    const old = this.state[name];
    this.state[name] = value;
    if (old !== value) this.emit(`change:${name}`);
  }
  on(event, callback) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(callback);
  }
  off(event, callback) {
    if (!event) this.listeners.clear();
    else if (!callback) this.listeners.delete(event);
    else this.listeners.get(event)?.delete(callback);
  }
  emit(event) { for (const callback of this.listeners.get(event) ?? []) callback(); }
  save_changes() {}
  send() {}
}

const modules = new Map();
function load(source) {  // one import per module text, as anywidget does (a blob URL of the _esm string)
  if (!modules.has(source)) {
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    modules.set(source, import(url).then((module) => module.default ?? module));
  }
  return modules.get(source);
}

const styles = new Set();
function style(css) {
  if (!css || styles.has(css)) return;
  styles.add(css);
  const node = document.createElement("style");
  node.textContent = css;
  document.head.append(node);
}

async function mount() {
  const saved = document.querySelector(`script[type="${STATE}"]`);
  const state = saved ? JSON.parse(saved.textContent).state : {};
  const views = Array.from(document.querySelectorAll(`script[type="${VIEW}"]`));
  await Promise.all(views.map(async (view) => {
    const entry = state[JSON.parse(view.textContent).model_id];
    const host = document.createElement("div");
    host.className = "course-widget";
    view.after(host);
    if (!entry || entry.model_module !== "anywidget") {
      host.textContent = "This interactive figure needs a running notebook.";
      return;
    }
    const model = new PageModel(entry.state);
    style(model.get("_css"));
    const widget = await load(model.get("_esm"));
    if (widget.initialize) await widget.initialize({ model });
    await widget.render({ model, el: host });
    host.dataset.mounted = "true";
  }));
  document.documentElement.dataset.courseWidgets = "mounted";  // tests wait for this
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
else mount();
