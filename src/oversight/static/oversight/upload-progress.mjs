// Data loads: upload with a progress bar. Progressive enhancement: without JavaScript the form
// posts as usual; with it, the file is sent with XMLHttpRequest so the bar shows how much has
// gone up. The server stores the file, starts a background job and redirects to the upload's
// page, which shows the job's progress (polled by htmx) and then the summary or problem report:
// the browser goes there. A form error (no file, no layout) replaces the page as a post would.

const form = document.querySelector("form[data-upload-progress]");
const region = document.getElementById("upload-progress");

function show(bar, value, max) {
  region.hidden = false;
  bar.max = Math.max(max, 1);
  bar.value = value;
  bar.textContent = `${Math.round((100 * value) / bar.max)}%`; // for browsers without <progress>
}

if (form && region && window.XMLHttpRequest && window.FormData) {
  const bar = region.querySelector("progress");
  const text = region.querySelector("[data-progress-text]");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) {
        show(bar, e.loaded, e.total);
        text.textContent = `Uploading: ${Math.round((100 * e.loaded) / e.total)}%`;
      }
    });
    request.upload.addEventListener("load", () => {
      text.textContent = "Uploaded: starting the load";
      bar.removeAttribute("value"); // indeterminate until the upload's page answers
    });
    request.addEventListener("loadend", () => {
      if (request.status === 0) {
        form.submit(); // network failure: fall back to the plain form post
        return;
      }
      const landed = new URL(request.responseURL || form.action, window.location.href);
      if (landed.pathname !== new URL(form.action, window.location.href).pathname) {
        window.location.assign(landed.href); // the upload's page (redirected to)
        return;
      }
      const page = new DOMParser().parseFromString(request.responseText, "text/html");
      document.title = page.title;
      document.querySelector("main").replaceWith(page.querySelector("main"));
      const summary = document.querySelector(".nhsuk-error-summary");
      if (summary) {
        summary.setAttribute("tabindex", "-1");
        summary.focus();
      }
    });
    request.open("POST", form.action);
    show(bar, 0, 1);
    text.textContent = "Uploading";
    request.send(new FormData(form));
  });
}
