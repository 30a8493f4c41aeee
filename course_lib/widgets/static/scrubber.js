// The timestep scrubber's front end (an anywidget ES module): the browser draws every frame itself.
//
// The kernel sends, once: the clean image x0 and the one noise draw eps (as PNG/JPEG pixels) and, for every
// step t = 0..T, the two coefficients of the closed form computed by course_lib (signal = sqrt(alpha_bar_t),
// noise = sqrt(1 - alpha_bar_t)). A slider step is then one multiply-add per pixel on a canvas, with no round
// trip to a kernel, so the same figure works live in JupyterLab, from a notebook's saved widget state, and on
// the course's web edition (course_lib/book/static/widgets.js gives this module the model it expects).

async function pixels(base64, mime) {
  const image = new Image();
  image.src = `data:${mime};base64,${base64}`;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(image, 0, 0);
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

function caption(model, t) {
  const T = model.get("num_timesteps");
  if (t === 0) return "t = 0: the clean image";
  const abar = model.get("alphas_cumprod")[t - 1];
  return `t = ${t} of ${T}: ᾱ_t = ${abar.toFixed(4)}, signal × ${model.get("signal")[t].toFixed(3)}, ` +
    `noise × ${model.get("noise")[t].toFixed(3)}`;
}

async function render({ model, el }) {
  const T = model.get("num_timesteps");
  const root = document.createElement("div");
  root.className = "course-scrubber";
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", model.get("description"));
  // keys pressed on the controls are theirs: JupyterLab's shortcuts (ArrowRight in command mode) must not see them
  root.addEventListener("keydown", (event) => event.stopPropagation());

  const label = document.createElement("label");
  label.className = "course-scrubber-control";
  const name = document.createElement("span");
  name.textContent = "step t";
  const slider = document.createElement("input");
  Object.assign(slider, { type: "range", min: 0, max: T, step: 1, value: model.get("t") });
  slider.style.width = `${model.get("width")}px`;
  slider.style.maxWidth = "100%";
  const readout = document.createElement("output");
  label.append(name, slider, readout);

  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.style.width = `${model.get("width")}px`;
  canvas.style.maxWidth = "100%";
  canvas.style.imageRendering = "auto";
  const text = document.createElement("p");
  text.className = "course-scrubber-caption";
  root.append(label, canvas, text);
  el.append(root);

  const [clean, noise] = await Promise.all([
    pixels(model.get("x0"), model.get("x0_mime")), pixels(model.get("eps"), "image/png")]);
  canvas.width = clean.width;
  canvas.height = clean.height;
  const context = canvas.getContext("2d");
  const frame = context.createImageData(clean.width, clean.height);
  const n = clean.data.length;
  // pixel units, centred: x0 in [-1, 1] is (value - 127.5) / 127.5; eps is (value - 128) / eps_scale
  const x0 = new Float32Array(n);
  const eps = new Float32Array(n);
  const epsToPixels = 127.5 / model.get("eps_scale");
  for (let i = 0; i < n; i++) {
    x0[i] = clean.data[i] - 127.5;
    eps[i] = (noise.data[i] - 128) * epsToPixels;
  }
  const signals = model.get("signal");
  const noises = model.get("noise");

  function draw(t) {
    const a = signals[t];
    const b = noises[t];
    const out = frame.data;  // Uint8ClampedArray: clips to 0..255 and rounds
    for (let i = 0; i < n; i += 4) {
      out[i] = a * x0[i] + b * eps[i] + 127.5;
      out[i + 1] = a * x0[i + 1] + b * eps[i + 1] + 127.5;
      out[i + 2] = a * x0[i + 2] + b * eps[i + 2] + 127.5;
      out[i + 3] = 255;
    }
    context.putImageData(frame, 0, 0);
    const words = caption(model, t);
    text.textContent = words;
    readout.textContent = `t = ${t}`;
    slider.setAttribute("aria-valuetext", words);
    canvas.setAttribute("aria-label", `${model.get("image_name")} noised to step t = ${t} of ${T}`);
    canvas.dataset.t = String(t);  // tests watch this: the frame for step t is on the canvas
  }

  slider.addEventListener("input", () => {
    const t = Number(slider.value);
    draw(t);
    model.set("t", t);
    model.save_changes();
  });
  const onChange = () => {
    const t = model.get("t");
    if (Number(slider.value) !== t) slider.value = t;
    if (canvas.dataset.t !== String(t)) draw(t);
  };
  model.on("change:t", onChange);
  draw(model.get("t"));
  return () => model.off("change:t", onChange);
}

export default { render };
