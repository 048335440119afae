/** @jsxImportSource preact */
import { render } from "preact";
import { App } from "./app";

const root = document.getElementById("console");
if (!root) throw new Error("index.html has no #console element");
render(<App />, root);
