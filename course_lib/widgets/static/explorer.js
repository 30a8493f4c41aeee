// The schedule explorer's front end (an anywidget ES module): every picture is drawn in the browser.
//
// The kernel sends, once, for every schedule on offer and every T on the menu: log SNR and alpha_bar at each
// step, and the density of steps along the log-SNR axis (all computed by course_lib); plus one image and one
// noise draw. The learner slides on the step t (every schedule at the same t) or on log SNR (every schedule at
// the step where it reaches that log SNR: the same alpha_bar, so the same picture). Nothing goes back to a
// kernel, so it works live, from a notebook's saved widget state, and on the course's web edition.

const SVG = "http://www.w3.org/2000/svg";
const DASHES = { "-": "", "--": "7 4", "-.": "7 3 2 3", ":": "2 3" };
const LOG_SNR_LIMITS = [-25, 12];

function svg(tag, attributes = {}, parent = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (parent) parent.append(node);
  return node;
}

function html(tag, attributes = {}, parent = null, text = null) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== null) node.textContent = text;
  if (parent) parent.append(node);
  return node;
}

function floats(base64) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new Float32Array(bytes.buffer);
}

async function pixels(base64) {
  const image = new Image();
  image.src = `data:image/png;base64,${base64}`;
  await image.decode();
  const canvas = html("canvas");
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(image, 0, 0);
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

function ticks(lo, hi, count = 5) {
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

// One panel: axes with ticks, labels and a title, redrawn by setLimits; px/py map data to pixels.
function axes(parent, { title, xlabel, ylabel, width = 430, height = 270 }) {
  const m = { left: 56, right: 12, top: 28, bottom: 44 };
  const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, class: "course-explorer-panel",
    role: "img" }, parent);
  const frame = svg("g", { class: "course-axes" }, root);
  const clip = svg("clipPath", { id: `course-clip-${Math.random().toString(36).slice(2)}` }, root);
  svg("rect", { x: m.left, y: m.top, width: width - m.left - m.right, height: height - m.top - m.bottom }, clip);
  const panel = { root, plot: svg("g", { "clip-path": `url(#${clip.id})` }, root), top: m.top };
  panel.markers = svg("g", {}, root);
  panel.setLimits = (x, y) => {
    panel.x = x;
    panel.y = y;
    panel.px = (v) => m.left + ((v - x[0]) / (x[1] - x[0])) * (width - m.left - m.right);
    panel.py = (v) => height - m.bottom - ((v - y[0]) / (y[1] - y[0])) * (height - m.top - m.bottom);
    frame.replaceChildren();
    svg("rect", { x: m.left, y: m.top, width: width - m.left - m.right, height: height - m.top - m.bottom,
      fill: "none", stroke: "currentColor", "stroke-width": 1 }, frame);
    for (const v of ticks(x[0], x[1])) {
      svg("line", { x1: panel.px(v), x2: panel.px(v), y1: height - m.bottom, y2: height - m.bottom + 4,
        stroke: "currentColor" }, frame);
      svg("text", { x: panel.px(v), y: height - m.bottom + 16, "text-anchor": "middle" }, frame).textContent = v;
    }
    for (const v of ticks(y[0], y[1])) {
      svg("line", { x1: m.left - 4, x2: m.left, y1: panel.py(v), y2: panel.py(v), stroke: "currentColor" }, frame);
      svg("text", { x: m.left - 7, y: panel.py(v) + 4, "text-anchor": "end" }, frame).textContent = v;
    }
    const middle = (m.top + height - m.bottom) / 2;
    svg("text", { x: (m.left + width - m.right) / 2, y: height - 6, "text-anchor": "middle" }, frame).textContent = xlabel;
    svg("text", { x: 14, y: middle, "text-anchor": "middle", transform: `rotate(-90 14 ${middle})` }, frame)
      .textContent = ylabel;
    svg("text", { x: (m.left + width - m.right) / 2, y: 17, "text-anchor": "middle", "font-weight": "bold" }, frame)
      .textContent = title;
  };
  return panel;
}

function polyline(panel, xs, ys, style, parent) {
  const points = [];
  for (let i = 0; i < xs.length; i++) {
    if (Number.isFinite(ys[i])) points.push(`${panel.px(xs[i]).toFixed(1)},${panel.py(ys[i]).toFixed(1)}`);
  }
  return svg("polyline", { points: points.join(" "), fill: "none", stroke: style.color, "stroke-width": 2,
    "stroke-dasharray": DASHES[style.ls] ?? "" }, parent);
}

function render({ model, el }) {
  const choices = model.get("choices");  // [{label, name, color, ls}]
  const curves = model.get("curves");  // label -> T -> {log_snr, alphas_cumprod, density} (base64 float32)
  const edges = model.get("density_edges");
  const cache = new Map();
  const data = (label, T) => {
    const key = `${label}/${T}`;
    if (!cache.has(key)) {
      const c = curves[label][String(T)];
      cache.set(key, { logSnr: floats(c.log_snr), abar: floats(c.alphas_cumprod), density: floats(c.density) });
    }
    return cache.get(key);
  };

  const root = html("div", { class: "course-explorer", role: "group",
    "aria-label": "Schedule explorer: pick schedules and T, slide on the step t or on log SNR" }, el);
  // keys pressed on the controls are theirs: JupyterLab's shortcuts (ArrowRight in command mode) must not see them
  root.addEventListener("keydown", (event) => event.stopPropagation());
  const controls = html("div", { class: "course-explorer-controls" }, root);
  const picks = html("fieldset", {}, controls);
  html("legend", {}, picks, "schedules");
  const boxes = new Map();
  for (const choice of choices) {
    const row = html("label", {}, picks);
    const box = html("input", { type: "checkbox", value: choice.label }, row);
    box.checked = model.get("selected").includes(choice.label);
    html("span", { class: "course-swatch", style: `border-top: 3px ${choice.ls === "-" ? "solid" : "dashed"} ${choice.color}` }, row);
    row.append(` ${choice.name}`);
    boxes.set(choice.label, box);
  }
  const right = html("div", { class: "course-explorer-sliders" }, controls);
  const tRow = html("label", {}, right, "T ");
  const tMenu = html("select", {}, tRow);
  for (const T of model.get("T_options")) html("option", { value: T }, tMenu, String(T));
  tMenu.value = String(model.get("T"));
  const modes = html("fieldset", {}, right);
  html("legend", {}, modes, "slide on");
  const modeInputs = {};
  const group = `course-mode-${Math.random().toString(36).slice(2)}`;  // one radio group per explorer
  for (const [value, words] of [["t", "step t (every schedule at the same step)"],
    ["log_snr", "log SNR (every schedule at the same noise level)"]]) {
    const row = html("label", {}, modes);
    modeInputs[value] = html("input", { type: "radio", name: group, value }, row);
    row.append(` ${words}`);
  }
  modeInputs[model.get("mode")].checked = true;
  const sliderRow = html("label", { class: "course-explorer-slider" }, right);
  const sliderName = html("span", {}, sliderRow);
  const slider = html("input", { type: "range" }, sliderRow);
  const readout = html("output", {}, sliderRow);

  const figures = html("div", { class: "course-explorer-figures" }, root);
  const left = axes(figures, { title: "log SNR against the step t", xlabel: "step t", ylabel: "log SNR" });
  const density = axes(figures, { title: "where the steps go along log SNR", xlabel: "log SNR",
    ylabel: "steps per unit of log SNR" });
  const legend = html("ul", { class: "course-explorer-legend" }, root);
  const images = html("div", { class: "course-explorer-images" }, root);
  const note = html("p", { class: "course-explorer-note" }, root);

  let clean = null;
  let noise = null;
  const state = () => ({
    selected: choices.map((c) => c.label).filter((label) => boxes.get(label).checked),
    T: Number(tMenu.value), mode: modeInputs.t.checked ? "t" : "log_snr",
  });

  // the step of each schedule that the slider points at: t itself, or where log SNR is closest to the value
  function stepFor(label, T, mode, value) {
    if (mode === "t") return value;
    const { logSnr } = data(label, T);
    let best = 1;
    for (let t = 1; t <= T; t++) {
      if (Math.abs(logSnr[t - 1] - value) < Math.abs(logSnr[best - 1] - value) || !Number.isFinite(logSnr[best - 1])) best = t;
    }
    return best;
  }

  function configureSlider() {
    const { T, mode } = state();
    if (mode === "t") {
      sliderName.textContent = "step t ";
      Object.assign(slider, { min: 1, max: T, step: 1 });
      slider.value = Math.min(T, Math.max(1, model.get("t")));
    } else {
      sliderName.textContent = "log SNR ";
      Object.assign(slider, { min: LOG_SNR_LIMITS[0], max: LOG_SNR_LIMITS[1], step: 0.05 });
      slider.value = model.get("log_snr");
    }
  }

  function drawCurves() {
    const { selected, T } = state();
    let top = 0;
    for (const label of selected) top = Math.max(top, ...data(label, T).density);
    left.setLimits([0, T], LOG_SNR_LIMITS);
    density.setLimits(LOG_SNR_LIMITS, [0, top > 0 ? top * 1.08 : 1]);
    for (const panel of [left, density]) panel.plot.replaceChildren();
    legend.replaceChildren();
    for (const label of selected) {
      const style = choices.find((c) => c.label === label);
      const { logSnr, density: counts } = data(label, T);
      polyline(left, Array.from({ length: T }, (_, i) => i + 1), logSnr, style, left.plot);
      const xs = [];
      const ys = [];
      for (let i = 0; i < counts.length; i++) {  // a step outline: flat over each bin
        xs.push(edges[i], edges[i + 1]);
        ys.push(counts[i], counts[i]);
      }
      polyline(density, xs, ys, style, density.plot);
      const item = html("li", {}, legend);
      html("span", { class: "course-swatch", style: `border-top: 3px ${style.ls === "-" ? "solid" : "dashed"} ${style.color}` }, item);
      item.append(` ${style.name}`);
    }
  }

  function drawImage(canvas, a, b) {
    const context = canvas.getContext("2d");
    const frame = context.createImageData(clean.width, clean.height);
    const out = frame.data;
    const scale = 127.5 / model.get("eps_scale");
    for (let i = 0; i < out.length; i += 4) {
      for (let c = 0; c < 3; c++) {
        out[i + c] = a * (clean.data[i + c] - 127.5) + b * (noise.data[i + c] - 128) * scale + 127.5;
      }
      out[i + 3] = 255;
    }
    context.putImageData(frame, 0, 0);
  }

  function drawStep() {
    if (!clean) return;
    const { selected, T, mode } = state();
    const value = Number(slider.value);
    for (const panel of [left, density]) panel.markers.replaceChildren();
    if (mode === "t") {
      svg("line", { x1: left.px(value), x2: left.px(value), y1: left.py(LOG_SNR_LIMITS[0]), y2: left.py(LOG_SNR_LIMITS[1]),
        stroke: "currentColor", "stroke-dasharray": "5 4" }, left.markers);
    } else {
      svg("line", { x1: left.px(0), x2: left.px(T), y1: left.py(value), y2: left.py(value), stroke: "currentColor",
        "stroke-dasharray": "5 4" }, left.markers);
      svg("line", { x1: density.px(value), x2: density.px(value), y1: density.py(0), y2: density.top, stroke: "currentColor",
        "stroke-dasharray": "5 4" }, density.markers);
    }
    const cards = [["clean x₀", 1, 0, "the clean image"]];
    const spoken = [];
    for (const label of selected) {
      const style = choices.find((c) => c.label === label);
      const t = stepFor(label, T, mode, value);
      const { logSnr, abar } = data(label, T);
      const lam = logSnr[t - 1];
      if (Number.isFinite(lam)) {
        svg("circle", { cx: left.px(t), cy: left.py(lam), r: 5, fill: style.color, stroke: "currentColor" }, left.markers);
        if (mode === "t") {
          svg("line", { x1: density.px(lam), x2: density.px(lam), y1: density.py(0), y2: density.top, stroke: style.color,
            "stroke-width": 1.5, "stroke-dasharray": DASHES[style.ls] ?? "" }, density.markers);
        }
      }
      const words = `${style.name}: t = ${t}, log SNR ${Number.isFinite(lam) ? lam.toFixed(2) : "−∞"}`;
      spoken.push(words);
      cards.push([`${style.name}\nt = ${t}, log SNR ${Number.isFinite(lam) ? lam.toFixed(2) : "−∞"}`,
        Math.sqrt(abar[t - 1]), Math.sqrt(1 - abar[t - 1]), words]);
    }
    images.replaceChildren();
    for (const [title, a, b, words] of cards) {
      const figure = html("figure", {}, images);
      const canvas = html("canvas", { role: "img", "aria-label": `the image noised: ${words}` }, figure);
      canvas.width = clean.width;
      canvas.height = clean.height;
      drawImage(canvas, a, b);
      html("figcaption", {}, figure, title);
    }
    const where = mode === "t" ? `step t = ${value}` : `log SNR ${value.toFixed(2)}`;
    readout.textContent = mode === "t" ? `t = ${value}` : value.toFixed(2);
    slider.setAttribute("aria-valuetext", `${where}; ${spoken.join("; ")}`);
    left.root.setAttribute("aria-label", `log SNR against the step t, T = ${T}, for ${selected.length} schedules; ${spoken.join("; ")}`);
    density.root.setAttribute("aria-label", `steps per unit of log SNR against log SNR, T = ${T}, for ${selected.length} schedules`);
    note.textContent = selected.length ? `${where}: ${spoken.join("; ")}` : "Pick at least one schedule.";
    root.dataset.frame = `${mode}:${value}:${selected.join(",")}:${T}`;  // tests watch this
  }

  function save() {
    const { selected, T, mode } = state();
    model.set("selected", selected);
    model.set("T", T);
    model.set("mode", mode);
    if (mode === "t") model.set("t", Number(slider.value));
    else model.set("log_snr", Number(slider.value));
    model.save_changes();
  }

  for (const box of boxes.values()) box.addEventListener("change", () => { drawCurves(); drawStep(); save(); });
  tMenu.addEventListener("change", () => {
    const { T } = state();
    const old = Number(slider.max);
    if (modeInputs.t.checked) model.set("t", Math.min(T, Math.max(1, Math.round(Number(slider.value) / old * T))));
    configureSlider(); drawCurves(); drawStep(); save();
  });
  for (const input of Object.values(modeInputs)) {
    input.addEventListener("change", () => { save(); configureSlider(); drawStep(); });
  }
  slider.addEventListener("input", () => { drawStep(); save(); });

  configureSlider();
  drawCurves();
  Promise.all([pixels(model.get("x0")), pixels(model.get("eps"))]).then(([a, b]) => {
    clean = a;
    noise = b;
    drawStep();
  });
}

export default { render };
