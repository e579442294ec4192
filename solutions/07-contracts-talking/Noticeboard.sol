// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Ownership in one place, for any contract to inherit (lesson 07, instructor's solution).
abstract contract Ownable {
    address private _owner;

    /// @notice Ownership moved from `previousOwner` to `newOwner` (address(0): renounced).
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// @notice Only the owner may do this; `caller` tried.
    error NotOwner(address caller);
    /// @notice The zero address cannot own anything.
    error ZeroAddressOwner();

    modifier onlyOwner() {
        if (msg.sender != _owner) revert NotOwner(msg.sender);
        _;
    }

    constructor() {
        _setOwner(msg.sender);
    }

    /// @notice Who owns the contract (address(0) once renounced).
    function owner() public view returns (address) {
        return _owner;
    }

    /// @notice Hand the contract over to `newOwner`.
    function transferOwnership(address newOwner) public virtual onlyOwner {
        if (newOwner == address(0)) revert ZeroAddressOwner();
        _setOwner(newOwner);
    }

    /// @notice Give up ownership for good: nobody can call owner-only functions afterwards.
    function renounceOwnership() public virtual onlyOwner {
        _setOwner(address(0));
    }

    function _setOwner(address newOwner) internal {
        emit OwnershipTransferred(_owner, newOwner);
        _owner = newOwner;
    }
}

/// @title A notice only its owner may post.
contract Noticeboard is Ownable {
    /// @notice The current notice.
    string public notice;

    /// @notice Replace the notice (owner only).
    function post(string calldata text) external onlyOwner {
        notice = text;
    }
}

/// @title A piggy bank anyone can fill and only its owner can smash.
contract PiggyBank is Ownable {
    /// @notice A piggy bank must always have an owner, or its Ether would be stuck.
    error CannotRenounce();
    /// @notice Sending the Ether to the owner failed.
    error TransferFailed();

    receive() external payable {}

    /// @notice Send everything in the piggy bank to the owner.
    function smash() external onlyOwner {
        (bool ok, ) = payable(owner()).call{value: address(this).balance}("");
        if (!ok) revert TransferFailed();
    }

    /// @notice Refused: see CannotRenounce.
    function renounceOwnership() public view override onlyOwner {
        revert CannotRenounce();
    }
}
