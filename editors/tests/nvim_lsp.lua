-- A real editor session against `arr lsp`: Neovim's built-in LSP client (0.7 or later),
-- headless. Opens $ARR_FILE (which has a shape error), waits for the diagnostic, hovers,
-- fixes the error by editing the buffer (sent as an incremental change), waits for the
-- diagnostic to go, hovers again, and writes what it saw to $ARR_OUT. Run by
-- tests/integration/lsp.rs as
--   ARR_BIN=target/release/arr ARR_FILE=f.arr ARR_OUT=out.txt \
--     nvim --headless --clean -c 'luafile editors/tests/nvim_lsp.lua'
local arr = os.getenv("ARR_BIN")
local file = os.getenv("ARR_FILE")
local out = os.getenv("ARR_OUT")
local lines = {}

local function finish(code)
  local f = io.open(out, "w")
  f:write(table.concat(lines, "\n"), "\n")
  f:close()
  if code == 0 then
    vim.cmd("qall!")
  else
    vim.cmd(code .. "cquit!")
  end
end

local function hover(line, character)
  local buf = vim.api.nvim_get_current_buf()
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = line, character = character },
  }
  local replies = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, 20000) or {}
  for _, r in pairs(replies) do
    if r.result and r.result.contents then
      table.insert(lines, "hover " .. line .. ":" .. character .. ":")
      table.insert(lines, r.result.contents.value)
      return true
    end
  end
  table.insert(lines, "NO HOVER at " .. line .. ":" .. character)
  return false
end

vim.cmd("edit " .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local client = vim.lsp.start_client({
  name = "arr",
  cmd = { arr, "lsp" },
  root_dir = vim.fn.fnamemodify(file, ":p:h"),
})
if not client then
  table.insert(lines, "CLIENT DID NOT START")
  return finish(1)
end
vim.lsp.buf_attach_client(buf, client)

if not vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 20) then
  table.insert(lines, "NO DIAGNOSTIC")
  return finish(1)
end
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(lines, string.format("diagnostic %d:%d: %s", d.lnum + 1, d.col + 1, d.message))
end
hover(0, 0)

-- Fix the error in the buffer; the client sends the edit, the diagnostic must go.
vim.api.nvim_buf_set_lines(buf, 1, 2, false, { "b = ones(4, chunks=2)" })
if vim.wait(20000, function() return #vim.diagnostic.get(buf) == 0 end, 20) then
  table.insert(lines, "diagnostics cleared after the fix")
else
  table.insert(lines, "DIAGNOSTIC NOT CLEARED")
  return finish(1)
end
hover(2, 0)
vim.lsp.stop_client(client)
finish(0)
