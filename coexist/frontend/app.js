// NHS.UK frontend components (header menu, error summary focus, skip link, ...).
import { initAll } from "../vendor/nhsuk-frontend.min.js";

initAll();
