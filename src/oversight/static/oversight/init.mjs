// Start NHS.UK frontend's components (header menu, tables, error summary...).
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

initAll();
