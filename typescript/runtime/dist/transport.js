// What a transport (TCP in tcp.ts, HTTP in http.ts) is given and gives back.
export function isRaw(e) {
    return typeof e === "object" && e !== null && e.raw === true;
}
