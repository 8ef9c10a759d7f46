// Runs first in <body>: tells NHS.UK frontend's CSS that JavaScript (and ES modules) are available.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
