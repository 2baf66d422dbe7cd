// Data loads: upload with a progress bar. Progressive enhancement: without JavaScript the form
// posts as usual; with it, the file is sent with XMLHttpRequest (upload progress from the
// browser), then the import's own progress is polled from /imports/progress/<token>/ (stored
// where every server process can read it), and the answer (summary or problem report) replaces
// the page as a normal post would.

const form = document.querySelector("form[data-upload-progress]");
const region = document.getElementById("upload-progress");

function show(bar, value, max) {
  region.hidden = false;
  bar.max = Math.max(max, 1);
  bar.value = value;
  bar.textContent = `${Math.round((100 * value) / bar.max)}%`; // for browsers without <progress>
}

function describe(state) {
  if (state.stage === "writing") {
    return `Writing to the database: ${state.done.toLocaleString("en-GB")} of ${state.total.toLocaleString("en-GB")} rows`;
  }
  if (state.stage === "validating") {
    return `Checking the file: step ${state.done} of ${state.total}`;
  }
  return "Finishing";
}

if (form && region && window.XMLHttpRequest && window.FormData && window.crypto?.randomUUID) {
  const bar = region.querySelector("progress");
  const text = region.querySelector("[data-progress-text]");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const token = crypto.randomUUID();
    const data = new FormData(form);
    data.set("progress_token", token);
    const request = new XMLHttpRequest();
    let polling = null;
    const poll = async () => {
      const response = await fetch(`${form.dataset.progressUrl}${token}/`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) {
        const state = await response.json();
        show(bar, state.done, state.total);
        text.textContent = describe(state);
      }
    };
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) {
        show(bar, e.loaded, e.total);
        text.textContent = `Uploading: ${Math.round((100 * e.loaded) / e.total)}%`;
      }
    });
    request.upload.addEventListener("load", () => {
      text.textContent = "Checking the file";
      bar.removeAttribute("value"); // indeterminate until the first report arrives
      polling = setInterval(poll, 500);
    });
    request.addEventListener("loadend", () => {
      clearInterval(polling);
      if (request.status === 0) {
        form.submit(); // network failure: fall back to the plain form post
        return;
      }
      const page = new DOMParser().parseFromString(request.responseText, "text/html");
      document.title = page.title;
      document.querySelector("main").replaceWith(page.querySelector("main"));
      const summary = document.querySelector(".nhsuk-error-summary, #summary");
      if (summary) {
        summary.setAttribute("tabindex", "-1");
        summary.focus();
      }
    });
    request.open("POST", form.action);
    show(bar, 0, 1);
    text.textContent = "Uploading";
    request.send(data);
  });
}
