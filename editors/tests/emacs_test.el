;;; emacs_test.el --- batch test of editors/emacs/arr-mode.el  -*- lexical-binding: t; -*-

;; Run by editors/test.sh as
;;   emacs --batch -Q -l editors/tests/emacs_test.el
;; Byte-compiles arr-mode.el (warnings are failures), loads it, opens sample.arr (the mode
;; must come from `auto-mode-alist'), checks faces, comments and indentation. With
;; $ARR_SYNTAX_JSON naming a file holding `arr --dump-syntax' it checks the face of every
;; name; with $ARR_BIN naming the arr binary it runs `run-arr' and talks to the REPL.
;; Exits 0 when all is well, 1 with the failures listed otherwise.

;;; Code:

(require 'cl-lib)
(require 'json)

(defvar arr-test-editors
  (file-name-directory (directory-file-name (file-name-directory load-file-name))))
(defvar arr-test-failures nil)
(defvar arr-test-checks 0)

(defun arr-test-fail (fmt &rest args)
  (push (apply #'format fmt args) arr-test-failures))

(defun arr-test-expect (what got want)
  (setq arr-test-checks (1+ arr-test-checks))
  (unless (equal got want)
    (arr-test-fail "%s: got %S, want %S" what got want)))

(defun arr-test-finish ()
  (if arr-test-failures
      (progn
        (message "emacs: %d failure(s):" (length arr-test-failures))
        (dolist (f (reverse arr-test-failures)) (message "  %s" f))
        (kill-emacs 1))
    (message "emacs: ok (%d checks)" arr-test-checks)
    (kill-emacs 0)))

(defun arr-test-faces-at (pos)
  "The faces at POS, as a list."
  (let ((f (get-text-property pos 'face)))
    (if (listp f) f (list f))))

(condition-case err
    (progn
      ;; 1. byte-compile, warnings included, into a temporary directory
      (let* ((src (expand-file-name "emacs/arr-mode.el" arr-test-editors))
             (tmp (make-temp-file "arr-mode-test" t))
             (byte-compile-dest-file-function
              (lambda (_) (expand-file-name "arr-mode.elc" tmp)))
             (byte-compile-error-on-warn t))
        (unless (byte-compile-file src)
          (arr-test-fail "byte-compiling arr-mode.el failed (see the messages above)"))
        (delete-directory tmp t))
      ;; 2. load it as a user would
      (add-to-list 'load-path (expand-file-name "emacs" arr-test-editors))
      (require 'arr-mode))
  (error (arr-test-fail "loading arr-mode.el: %S" err)
         (arr-test-finish)))

;; 3. open the sample: the mode comes from auto-mode-alist
(find-file (expand-file-name "tests/sample.arr" arr-test-editors))
(arr-test-expect "major-mode of sample.arr" major-mode 'arr-mode)
(font-lock-mode 1)
(font-lock-ensure)

(defconst arr-test-face-cases
  ;; text to find, offset into it, a face that must be there
  '(("# sample.arr" 2 font-lock-comment-face)
    ("fn lj" 0 font-lock-keyword-face)
    ("lj(r2)" 0 font-lock-function-name-face)
    ("r2) {" 0 font-lock-variable-name-face)
    ("c: f64" 0 font-lock-variable-name-face)
    ("f64[n, 3]" 0 font-lock-type-face)
    ("newaxis, :]" 0 font-lock-constant-face)
    ("sum(axis" 0 font-lock-builtin-face)
    ("axis=-1" 0 font-lock-variable-name-face)
    ("if v > 0" 0 font-lock-keyword-face)
    ("else if" 0 font-lock-keyword-face)
    ("\"positive\"" 1 font-lock-string-face)
    ("|b|" 1 font-lock-variable-name-face)
    ("random.normal" 0 arr-module-face)
    ("normal(" 0 font-lock-builtin-face)
    ("seed=42" 0 font-lock-variable-name-face)
    ("maximum(x" 0 font-lock-builtin-face)
    ("for i in" 0 font-lock-keyword-face)
    ("range(10)" 0 font-lock-builtin-face)
    ("{ in a comment" 0 font-lock-comment-face)
    ("} in a string" 0 font-lock-string-face)
    ("1_000_000" 0 arr-number-face)
    ("0x1f" 0 arr-number-face)
    ("1e-6" 0 arr-number-face)
    ("2. +" 0 arr-number-face)
    ("+ .5" 2 arr-number-face)
    ("|a, b|" 1 font-lock-variable-name-face)
    ("|a, b|" 4 font-lock-variable-name-face)
    ("shape, x.T" 0 arr-attribute-face)
    ("T.dtype" 0 arr-attribute-face)
    ("dtype, label" 0 arr-attribute-face)
    ("pi, true" 0 font-lock-constant-face)
    ("true)" 0 font-lock-constant-face)
    ("print(" 0 font-lock-builtin-face)))

(dolist (c arr-test-face-cases)
  (cl-destructuring-bind (text offset face) c
    (goto-char (point-min))
    (if (not (search-forward text nil t))
        (arr-test-fail "sample.arr has no %S" text)
      (let ((pos (+ (match-beginning 0) offset)))
        (setq arr-test-checks (1+ arr-test-checks))
        (unless (memq face (arr-test-faces-at pos))
          (arr-test-fail "face at %S+%d (line %d): got %S, want %S" text offset
                         (line-number-at-pos pos) (arr-test-faces-at pos) face))))))

;; the dimension names of a parameter's type are not parameters
(goto-char (point-min))
(search-forward "f64[n, 3]")
(let ((pos (+ (match-beginning 0) 4)))
  (setq arr-test-checks (1+ arr-test-checks))
  (when (memq 'font-lock-variable-name-face (arr-test-faces-at pos))
    (arr-test-fail "the dimension `n' of f64[n, 3] is shown as a parameter")))

;; 4. comments
(arr-test-expect "comment-start" comment-start "# ")
(with-temp-buffer
  (arr-mode)
  (insert "x = 1\ny = 2\n")
  (comment-region (point-min) (point-max))
  (arr-test-expect "comment-region" (buffer-string) "# x = 1\n# y = 2\n")
  (uncomment-region (point-min) (point-max))
  (arr-test-expect "uncomment-region" (buffer-string) "x = 1\ny = 2\n")
  (erase-buffer)
  (insert "x = \"# no\" # yes")
  (arr-test-expect "# in a string starts no comment" (nth 4 (syntax-ppss 7)) nil)
  (arr-test-expect "# after code starts a comment" (and (nth 4 (syntax-ppss (point-max))) t) t))

;; 5. indentation: a flush-left copy of the sample re-indents to the sample
(let ((want (buffer-substring-no-properties (point-min) (point-max))))
  (with-temp-buffer
    (insert want)
    (arr-mode)
    (goto-char (point-min))
    (while (re-search-forward "^[ \t]+" nil t) (replace-match ""))
    (indent-region (point-min) (point-max))
    (let ((got-lines (split-string (buffer-string) "\n"))
          (want-lines (split-string want "\n")))
      (cl-loop for g in got-lines for w in want-lines for i from 1
               do (arr-test-expect (format "indent of sample.arr:%d" i) g w)))))

;; 6. every name of `arr --dump-syntax'
(let ((file (getenv "ARR_SYNTAX_JSON")))
  (when (and file (not (string= file "")))
    (if (not (file-readable-p file))
        (arr-test-fail "ARR_SYNTAX_JSON=%s is not readable" file)
      (let* ((json-array-type 'list)
             (json-object-type 'alist)
             (names (json-read-file file))
             (cases nil))
        (dolist (k (alist-get 'keywords names))
          (push (list (concat "x = " k) 4
                      (if (member k '("true" "false")) 'font-lock-constant-face 'font-lock-keyword-face))
                cases))
        (dolist (b (alist-get 'builtins names))
          (if (string-match "\\`\\([^.]+\\)\\.\\(.+\\)\\'" b)
              (let ((m (match-string 1 b)))
                (push (list (concat "x = " b "(y)") 4 'arr-module-face) cases)
                (push (list (concat "x = " b "(y)") (+ 5 (length m)) 'font-lock-builtin-face) cases))
            (push (list (concat "x = " b "(y)") 4 'font-lock-builtin-face) cases)))
        (dolist (p (alist-get 'prelude names))
          (push (list (concat "x = " p "(y)") 4 'font-lock-builtin-face) cases))
        (dolist (c (alist-get 'constants names))
          (push (list (concat "x = " c) 4 'font-lock-constant-face) cases))
        (dolist (d (alist-get 'dtypes names))
          (push (list (concat "x = " d) 4 'font-lock-type-face) cases))
        (dolist (a (alist-get 'attributes names))
          (push (list (concat "x = y." a) 6 'arr-attribute-face) cases))
        (with-temp-buffer
          (arr-mode)
          (dolist (c (reverse cases))
            (cl-destructuring-bind (line col face) c
              (erase-buffer)
              (insert line "\n")
              (font-lock-ensure)
              (setq arr-test-checks (1+ arr-test-checks))
              (unless (memq face (arr-test-faces-at (+ (point-min) col)))
                (arr-test-fail "%S: got %S at column %d, want %S" line
                               (arr-test-faces-at (+ (point-min) col)) col face)))))))))

;; 7. the REPL
(let ((bin (getenv "ARR_BIN")))
  (when (and bin (not (string= bin "")))
    (setq arr-program bin)
    (let* ((buffer (run-arr))
           (proc (get-buffer-process buffer))
           (deadline (+ (float-time) 30)))
      (arr-test-expect "REPL buffer mode" (buffer-local-value 'major-mode buffer) 'inferior-arr-mode)
      (with-current-buffer buffer
        (while (and (process-live-p proc) (< (float-time) deadline)
                    (not (save-excursion (goto-char (point-min))
                                         (re-search-forward arr-prompt-regexp nil t))))
          (accept-process-output proc 0.2))
        (arr-test-expect "REPL shows its prompt"
                         (and (save-excursion (goto-char (point-min))
                                              (re-search-forward arr-prompt-regexp nil t))
                              t)
                         t)
        (comint-send-string proc "fn sq(v) {\nv * v\n}\nprint(sq(6) + 6 * 1_000)\n")
        (while (and (process-live-p proc) (< (float-time) deadline)
                    (not (save-excursion (goto-char (point-min)) (search-forward "6036" nil t))))
          (accept-process-output proc 0.2))
        (arr-test-expect "REPL answers print(sq(6) + 6 * 1_000)"
                         (and (save-excursion (goto-char (point-min)) (search-forward "6036" nil t)) t)
                         t)
        (when arr-test-failures
          (message "REPL buffer:\n%s" (buffer-string)))
        (comint-send-eof)
        (let ((stop (+ (float-time) 10)))
          (while (and (process-live-p proc) (< (float-time) stop))
            (accept-process-output proc 0.2)))
        (when (process-live-p proc) (delete-process proc))))))

(arr-test-finish)

;;; emacs_test.el ends here
