package ingest

// JobSize is how many iterations one job of a campaign holds; the web form
// creates campaigns with the same split as the API.
const JobSize = jobSize
