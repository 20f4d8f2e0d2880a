// The app's script: each part below enhances one page and does nothing on
// the others. Every page works without it.
"use strict";
