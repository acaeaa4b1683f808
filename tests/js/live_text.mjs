// Two text turns against openlive with the official @google/genai SDK over plain ws.
// Usage: node live_text.mjs BASE_URL API_KEY MODEL "question 1" "question 2"
// Prints one JSON object: {"answers": [...], "setupComplete": bool, "closes": [...]}.
import { GoogleGenAI, Modality } from '@google/genai';

const [baseUrl, apiKey, model, ...questions] = process.argv.slice(2);
const ai = new GoogleGenAI({ apiKey, httpOptions: { baseUrl } });

let current = '';
let turnDone = null;
let setupComplete = false;
const closes = [];

const session = await ai.live.connect({
  model,
  config: { responseModalities: [Modality.TEXT], temperature: 0 },
  callbacks: {
    onmessage: (message) => {
      if (message.setupComplete) setupComplete = true;
      const parts = message.serverContent?.modelTurn?.parts ?? [];
      for (const part of parts) if (part.text) current += part.text;
      if (message.serverContent?.turnComplete && turnDone) turnDone();
    },
    onerror: (error) => closes.push({ error: String(error?.message ?? error) }),
    onclose: (event) => {
      closes.push({ code: event.code, reason: event.reason });
      if (turnDone) turnDone();
    },
  },
});

const answers = [];
for (const question of questions) {
  current = '';
  const done = new Promise((resolve) => { turnDone = resolve; });
  session.sendClientContent({ turns: [{ role: 'user', parts: [{ text: question }] }], turnComplete: true });
  await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error('turn timed out')), 60000))]);
  answers.push(current);
}
session.close();
console.log(JSON.stringify({ answers, setupComplete, closes }));
